#!/usr/bin/env node
// Semantic diff of the rendered manifests between two versions of deploy/: every overlay, scenario and
// deploy/tests combination present in either version is rendered with the real kubectl kustomize, its
// objects are sorted (by kind, namespace, name) with their keys sorted, and compared as YAML. Prints
// one line per render target (`same`, or the objects added, removed and changed with a unified diff of
// each changed object) and exits 1 when anything differs.
//
//   node tools/k8s/dist/render-diff.js <git-rev> [<git-rev>]     (second side: the working tree)
//   e.g. node tools/k8s/dist/render-diff.js main
//
// A git revision is exported with `git archive <rev> deploy` into a temporary folder first.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from './paths.js';
import { render, renderTargets, type K8sObject } from './render.js';

/** The object with every mapping's keys sorted (lists keep their order: it is meaningful in Kubernetes). */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

export const objectKey = (o: K8sObject) =>
  `${o.apiVersion ?? '?'} ${o.kind ?? '?'} ${o.metadata?.namespace ?? '-'}/${o.metadata?.name ?? '?'}`;

/** key → canonical YAML of each object of a render. */
export function canonicalSet(objects: K8sObject[]): Map<string, string> {
  return new Map(
    objects
      .map((o) => [objectKey(o), stringify(canonical(o), { lineWidth: 0 })] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export interface TargetDiff {
  target: string;
  added: string[];
  removed: string[];
  changed: { key: string; diff: string }[];
  error?: string;
}

function unifiedDiff(a: string, b: string, label: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'render-diff-'));
  try {
    writeFileSync(join(dir, 'before.yaml'), a);
    writeFileSync(join(dir, 'after.yaml'), b);
    const r = spawnSync(
      'diff',
      ['-u', '--label', `before ${label}`, '--label', `after ${label}`, 'before.yaml', 'after.yaml'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function diffSets(target: string, before: K8sObject[], after: K8sObject[]): TargetDiff {
  const a = canonicalSet(before);
  const b = canonicalSet(after);
  const d: TargetDiff = { target, added: [], removed: [], changed: [] };
  for (const [k, y] of a) {
    if (!b.has(k)) d.removed.push(k);
    else if (b.get(k) !== y) d.changed.push({ key: k, diff: unifiedDiff(y, b.get(k) ?? '', k) });
  }
  for (const k of b.keys()) if (!a.has(k)) d.added.push(k);
  return d;
}

/** Exports deploy/ of a git revision into a temporary root (removed by the caller). */
function exportRevision(root: string, rev: string): string {
  const dir = mkdtempSync(join(tmpdir(), `render-diff-${rev.replace(/[^\w.-]/g, '_')}-`));
  const tar = execFileSync('git', ['archive', '--format=tar', rev, 'deploy'], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  return dir;
}

async function renderOrError(dir: string): Promise<K8sObject[] | string> {
  try {
    return await render(dir);
  } catch (e) {
    return (e as Error).message;
  }
}

export async function diffRoots(beforeRoot: string, afterRoot: string): Promise<TargetDiff[]> {
  const targets = [...new Set([...renderTargets(beforeRoot), ...renderTargets(afterRoot)])].sort();
  const out: TargetDiff[] = [];
  for (const t of targets) {
    const [x, y] = await Promise.all([renderOrError(join(beforeRoot, t)), renderOrError(join(afterRoot, t))]);
    if (typeof x === 'string' || typeof y === 'string') {
      const bothFail = typeof x === 'string' && typeof y === 'string';
      out.push({
        target: t,
        added: [],
        removed: [],
        changed: [],
        error: bothFail
          ? undefined
          : `before: ${typeof x === 'string' ? x : 'renders'}; after: ${typeof y === 'string' ? y : 'renders'}`,
      });
      continue;
    }
    out.push(diffSets(t, x, y));
  }
  return out;
}

async function main(argv: string[]): Promise<number> {
  const root = repoRoot();
  const [revA, revB] = argv;
  if (!revA) {
    process.stderr.write('usage: render-diff <git-rev> [<git-rev>]   (without the second: the working tree)\n');
    return 2;
  }
  const made: string[] = [];
  try {
    const a = exportRevision(root, revA);
    made.push(a);
    const b = revB ? exportRevision(root, revB) : root;
    if (revB) made.push(b);
    const diffs = await diffRoots(a, b);
    let differing = 0;
    for (const d of diffs) {
      const n = d.added.length + d.removed.length + d.changed.length;
      if (d.error) {
        differing++;
        process.stdout.write(`DIFF ${d.target}: ${d.error}\n`);
        continue;
      }
      process.stdout.write(
        `${n ? 'DIFF' : 'same'} ${d.target}${n ? `: +${d.added.length} -${d.removed.length} ~${d.changed.length}` : ''}\n`,
      );
      if (!n) continue;
      differing++;
      for (const k of d.added) process.stdout.write(`  + ${k}\n`);
      for (const k of d.removed) process.stdout.write(`  - ${k}\n`);
      for (const c of d.changed) process.stdout.write(`  ~ ${c.key}\n${c.diff.replace(/^/gm, '    ')}\n`);
    }
    process.stdout.write(`${diffs.length} render targets, ${differing} differ (${revA} → ${revB ?? 'working tree'})\n`);
    return differing ? 1 : 0;
  } finally {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('render-diff.js')) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
