#!/usr/bin/env node
// Generates the typed OpenAPI client of one service into libs/clients/<service>/src/generated.
// Usage: node tools/codegen/generate-client.mjs libs/clients/<service>
// The client library's package.json names the document it is generated from ("airportMesh.openapi").
// The generator is @hey-api/openapi-ts, pinned in the root package.json; output is formatted with the
// repo's Prettier so it is byte-for-byte deterministic and CI fails on any drift.
import { createClient } from '@hey-api/openapi-ts';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

const root = resolve(import.meta.dirname, '../..');
const projectRoot = resolve(root, process.argv[2] ?? '');
const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
const input = pkg.airportMesh?.openapi;
if (!input) {
  console.error(`${projectRoot}/package.json has no airportMesh.openapi`);
  process.exit(2);
}
const output = join(projectRoot, 'src/generated');
rmSync(output, { recursive: true, force: true });
await createClient({
  input: resolve(root, input),
  output: { path: output, importFileExtension: '.js' },
  plugins: ['@hey-api/client-axios', '@hey-api/typescript', { name: '@hey-api/sdk', operations: { strategy: 'flat' } }],
  logs: { level: 'silent' },
});
execFileSync(join(root, 'node_modules/.bin/prettier'), ['--write', '--log-level', 'warn', '--ignore-path', '', output], { stdio: 'inherit', cwd: root });
console.log(`generated ${pkg.name} from ${input}`);
