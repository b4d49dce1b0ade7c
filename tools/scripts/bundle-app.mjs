#!/usr/bin/env node
// Usage: bundle-app.mjs <app-root>. Turns an app's compiled dist/main.js into a bundle (esbuild) so a
// service starts by reading a few large files instead of resolving and compiling thousands of small
// ones: start-up CPU and memory (docs/performance.md, "Start-up").
//
// - dist/main.js (telemetry first) stays the entry; everything it imports dynamically after
//   `startTelemetry()` (the platform and the service) becomes a chunk in dist/chunks/, loaded only
//   after the telemetry hooks are in place.
// - Packages that OpenTelemetry patches (pino, through its module hook), NestJS's optional packages, native
//   addons (sharp, onnxruntime-node), packages that find their own files on disk (swagger-ui-dist),
//   and NestJS's optional packages that are not installed stay outside, loaded from node_modules.
// - The rest of dist/ (compiled by SWC) stays as it is: openapi.js and worker threads still run from it.
import { build } from 'esbuild';
import { join, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const EXTERNAL = [
  'pino',
  // NestJS loads these through its optional-package loader (a dynamic import whose result it uses as a
  // namespace): bundled, their CommonJS exports arrive under another shape.
  'class-validator',
  'class-transformer',
  'sharp',
  'onnxruntime-node',
  'piscina',
  'swagger-ui-dist',
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@nestjs/platform-express',
  '@fastify/multipart',
  '@fastify/view',
];

await build({
  entryPoints: [join(root, 'dist/main.js')],
  outdir: join(root, 'dist'),
  entryNames: '[name]',
  chunkNames: 'chunks/[name]-[hash]',
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node24',
  conditions: ['node', 'import', 'default'],
  external: EXTERNAL,
  // CommonJS code inside an ES-module bundle still needs `require` (for Node's built-in modules, so
  // that OpenTelemetry's require hook sees `http`).
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  sourcemap: 'linked',
  keepNames: true,
  logLevel: 'warning',
});
