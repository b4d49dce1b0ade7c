// Renders shared by the cross-check specs: each target rendered with the real kubectl kustomize
// (kubectl 1.34 from npm), two at a time, once per content of deploy/: the parsed renders are kept
// in node_modules/.cache/airport-mesh-renders/<hash of deploy/>.json, so the spec files (each in its
// own worker) do not render the same tree again.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../src/paths.js';
import { render, renderTargets, type K8sObject } from '../src/render.js';

export const root = repoRoot();

function treeHash(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(dir, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  walk(dir);
  return h.digest('hex').slice(0, 16);
}

export const deployHash = treeHash(join(root, 'deploy'));
const cacheFile = join(root, 'node_modules', '.cache', 'airport-mesh-renders', `${deployHash}.json`);
let disk: Record<string, K8sObject[]> | undefined;
const memo = new Map<string, Promise<K8sObject[]>>();

function fromDisk(): Record<string, K8sObject[]> {
  if (!disk)
    disk = existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, K8sObject[]>) : {};
  return disk;
}

function save(target: string, objects: K8sObject[]): void {
  const all = {
    ...(existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, K8sObject[]>) : {}),
    [target]: objects,
  };
  mkdirSync(join(cacheFile, '..'), { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all));
  renameSync(tmp, cacheFile);
}

export function rendered(target: string): Promise<K8sObject[]> {
  let p = memo.get(target);
  if (!p) {
    const cached = fromDisk()[target];
    p = cached
      ? Promise.resolve(cached)
      : render(join(root, target)).then((objects) => {
          save(target, objects);
          return objects;
        });
    memo.set(target, p);
  }
  return p;
}

/** Every render target (or the given ones), rendered two kubectl processes at a time. */
export async function renderAll(targets = renderTargets(root)): Promise<Map<string, K8sObject[]>> {
  const out = new Map<string, K8sObject[]>();
  for (let i = 0; i < targets.length; i += 2) {
    const slice = targets.slice(i, i + 2);
    const objs = await Promise.all(slice.map(rendered));
    slice.forEach((t, j) => out.set(t, objs[j]));
  }
  return out;
}
