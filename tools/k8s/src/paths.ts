import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest folder above the working directory that holds nx.json and deploy/ or tools/. */
export function repoRoot(start = process.cwd()): string {
  if (process.env.AIRPORT_MESH_ROOT) return resolve(process.env.AIRPORT_MESH_ROOT);
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'nx.json')) && existsSync(join(dir, 'tools', 'k8s'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no airport-mesh checkout above ${start}`);
    dir = parent;
  }
}

export function deployDir(root = repoRoot()): string {
  return join(root, 'deploy');
}
