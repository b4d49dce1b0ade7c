// Renders every overlay, scenario and test combination and checks each render: strict schemas and the
// mesh check. `node tools/k8s/dist/cli.js validate` prints one line per target and exits 1 on any issue.
import { join } from 'node:path';
import { checkMesh, type MeshIssue } from './mesh-check.js';
import { repoRoot } from './paths.js';
import { render, renderTargets, type K8sObject } from './render.js';
import { validateObjects, type SchemaIssue } from './schema.js';

export interface TargetReport {
  target: string;
  objects: K8sObject[];
  schema: SchemaIssue[];
  mesh: MeshIssue[];
  error?: string;
}

export async function checkTarget(target: string, root = repoRoot()): Promise<TargetReport> {
  try {
    const objects = await render(join(root, target));
    return { target, objects, schema: await validateObjects(objects), mesh: checkMesh(objects) };
  } catch (e) {
    return { target, objects: [], schema: [], mesh: [], error: (e as Error).message };
  }
}

export async function validateAll(root = repoRoot(), targets = renderTargets(root)): Promise<TargetReport[]> {
  const reports: TargetReport[] = [];
  // kubectl runs are independent: render two at a time (the machines have 2 cores)
  for (let i = 0; i < targets.length; i += 2) {
    reports.push(...(await Promise.all(targets.slice(i, i + 2).map((t) => checkTarget(t, root)))));
  }
  return reports;
}

export function formatReport(r: TargetReport): string[] {
  if (r.error) return [`FAIL ${r.target}: ${r.error}`];
  const lines = [`${r.schema.length + r.mesh.length === 0 ? 'ok  ' : 'FAIL'} ${r.target}: ${r.objects.length} objects`];
  for (const s of r.schema) lines.push(`     schema ${s.object} ${s.path || '/'}: ${s.message}`);
  for (const m of r.mesh) lines.push(`     mesh/${m.check} ${m.object}: ${m.message}`);
  return lines;
}
