#!/usr/bin/env node
// Generates the typed OpenAPI client of one service into libs/clients/<service>/src/generated.
// Usage: node tools/codegen/generate-client.mjs libs/clients/<service>
// The client library's package.json names the document it is generated from ("airportMesh.openapi").
// The generator is @hey-api/openapi-ts, pinned in the root package.json; output is formatted with the
// repo's Prettier so it is byte-for-byte deterministic and CI fails on any drift.
//
// The generated code is committed, and a client library builds from it without regenerating: services
// that call each other (collector → cpanel → collector) would otherwise make the task graph circular.
// Generation writes into a temporary folder and then changes only the files whose content differs, so
// a build reading the folder at the same time never sees it half-written when nothing changed.
import { createClient } from '@hey-api/openapi-ts';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
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
const staging = mkdtempSync(join(tmpdir(), 'generate-client-'));
await createClient({
  input: resolve(root, input),
  output: { path: staging, importFileExtension: '.js' },
  plugins: ['@hey-api/client-axios', '@hey-api/typescript', { name: '@hey-api/sdk', operations: { strategy: 'flat' } }],
  logs: { level: 'silent' },
});
execFileSync(
  join(root, 'node_modules/.bin/prettier'),
  ['--write', '--log-level', 'warn', '--ignore-path', '', '--config', join(root, '.prettierrc.json'), staging],
  { stdio: 'inherit', cwd: root },
);

const files = (dir) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(dir, join(e.parentPath, e.name)))
    : [];
let changed = 0;
for (const file of files(staging)) {
  const next = readFileSync(join(staging, file));
  const target = join(output, file);
  if (existsSync(target) && readFileSync(target).equals(next)) continue;
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, next);
  changed += 1;
}
const wanted = new Set(files(staging));
for (const file of files(output)) if (!wanted.has(file)) (rmSync(join(output, file)), (changed += 1));
rmSync(staging, { recursive: true, force: true });
console.log(`generated ${pkg.name} from ${input}: ${changed ? `${changed} files changed` : 'unchanged'}`);
