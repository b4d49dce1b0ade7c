#!/usr/bin/env node
// Completes package-lock.json with the platform-specific optional packages (other OSes and CPUs) that
// the registry reachable from this workplace does not serve (it answers 404 for e.g.
// @swc/core-darwin-arm64). npm then leaves them out of the lock, and `npm ci` refuses the lock as
// "out of sync". Each missing optional dependency gets an entry with its version and the os/cpu/libc
// it is for, so npm ci skips it here and installs it from the public registry on such a machine.
// Run after every `npm install` that changes the lock: node tools/scripts/lock-platform-entries.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const file = resolve(import.meta.dirname, '../../package-lock.json');
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;

const OS = ['darwin', 'win32', 'linux', 'freebsd', 'android', 'openbsd', 'sunos', 'aix', 'netbsd', 'wasi'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'wasm32', 'mips64el'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p)) ?? (parts.includes('win') ? 'win32' : undefined);
  const cpu =
    parts.find((p) => CPU.includes(p)) ??
    (parts.includes('x86')
      ? 'ia32'
      : parts.includes('gnueabihf') || parts.includes('musleabihf') || parts.includes('eabi')
        ? 'arm'
        : undefined);
  const libc = parts.some((p) => p.startsWith('musl'))
    ? 'musl'
    : os === 'linux' && parts.some((p) => p.startsWith('gnu'))
      ? 'glibc'
      : undefined;
  return { os, cpu, libc };
}

/** Node's lookup from a package at `path`: its own node_modules, then each enclosing one, then the root. */
function resolveFrom(path, name) {
  let dir = path;
  for (;;) {
    const candidate = dir ? `${dir}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return null;
    const at = dir.lastIndexOf('/node_modules/');
    dir = at === -1 ? '' : dir.slice(0, at);
  }
}

let added = 0;
const depth = (path) => path.split('/node_modules/').length;
for (const [path, entry] of Object.entries(packages).sort(([a], [b]) => depth(a) - depth(b))) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const found = resolveFrom(path, name);
    if (found && packages[found].version === spec) continue;
    if (found && !packages[found].optional) continue; // installed, another version: npm decided
    if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) {
      console.warn(`skip ${name}@${spec} (wanted by ${path || 'root'}): not an exact version`);
      continue;
    }
    const { os, cpu, libc } = platformOf(name);
    if (!os && !cpu) {
      console.warn(`skip ${name}@${spec}: cannot tell its platform from its name`);
      continue;
    }
    const at = found || packages[`node_modules/${name}`] ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    packages[at] = {
      version: spec,
      optional: true,
      ...(os && { os: [os] }),
      ...(cpu && { cpu: [cpu] }),
      ...(libc && { libc: [libc] }),
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`package-lock.json: ${added} platform entries added`);
