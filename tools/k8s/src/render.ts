// Renders Kustomize directories with the real `kubectl kustomize` and lists what CI renders.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { kubectlPath } from './kubectl.js';
import { deployDir, repoRoot } from './paths.js';

const run = promisify(execFile);

export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [key: string]: any;
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join('\n'));
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/** `kubectl kustomize <dir>`, parsed. Throws with kubectl's own message when the render fails. */
export async function render(dir: string): Promise<K8sObject[]> {
  try {
    const { stdout } = await run(kubectlPath(), ['kustomize', dir], { maxBuffer: 64 * 1024 * 1024 });
    return parseManifests(stdout);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`kubectl kustomize ${dir} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** Every directory CI renders: overlays/*, scenarios/*, tests/*, relative to the repository root. */
export function renderTargets(root = repoRoot()): string[] {
  const deploy = deployDir(root);
  const out: string[] = [];
  for (const group of ['overlays', 'scenarios', 'tests']) {
    const base = join(deploy, group);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(base, entry.name, 'kustomization.yaml'))) {
        out.push(relative(root, join(base, entry.name)));
      }
    }
  }
  return out.sort();
}
