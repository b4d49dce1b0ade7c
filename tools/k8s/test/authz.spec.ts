// The calls the system really makes (tools/k8s/calls/pipeline-calls.json, recorded from the spans of
// a local-stack run: `flock /tmp/airport-heavy.lock npx nx run k8s:record-calls`) against the
// policies of every render: each call is allowed by the AuthorizationPolicies of every Istio overlay,
// scenario and test combination (principal, method, path as Istio matches them) and by the
// NetworkPolicies of the plain renders; calls nobody makes are denied.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifests, renderTargets, type K8sObject } from '../src/render.js';
import {
  istioAllows,
  MESH_NAMESPACE,
  networkAllows,
  peerOf,
  principalOf,
  workloads,
  type Workload,
} from '../src/policy.js';
import type { CallsFile, RecordedCall } from '../src/record-calls.js';
import { renderAll, root } from './renders.js';

const file = JSON.parse(readFileSync(join(root, 'tools/k8s/calls/pipeline-calls.json'), 'utf8')) as CallsFile;
const calls = file.calls;
let renders: Map<string, K8sObject[]>;

beforeAll(async () => {
  renders = await renderAll();
}, 240_000);

const hasAuthz = (objects: K8sObject[]) => objects.some((o) => o.kind === 'AuthorizationPolicy');
const hasNetpol = (objects: K8sObject[]) => objects.some((o) => o.kind === 'NetworkPolicy');

/** The pods a call to `callee` lands on: the Service of that name, else (Flagger owns the Service) the Deployments labelled app=<callee>. */
function calleePods(objects: K8sObject[], callee: string): Workload[] {
  const all = workloads(objects).filter((w) => w.namespace === MESH_NAMESPACE);
  const svc = objects.find((o) => o.kind === 'Service' && o.metadata?.name === callee);
  const pods = svc
    ? all.filter((w) => Object.entries(svc.spec?.selector ?? {}).every(([k, v]) => w.labels[k] === v))
    : all.filter((w) => w.labels.app === callee);
  if (pods.length === 0) throw new Error(`no pod behind ${callee}`);
  return pods;
}
const callerOf = (objects: K8sObject[], caller: string): Workload => {
  const w = workloads(objects).find(
    (x) => x.labels['app.kubernetes.io/name'] === caller && x.namespace === MESH_NAMESPACE,
  );
  if (!w) throw new Error(`no workload ${caller}`);
  return w;
};

/** Every recorded call that a render's AuthorizationPolicies deny, with the reason. */
export function deniedByIstio(objects: K8sObject[], list: Omit<RecordedCall, 'count'>[]): string[] {
  const out: string[] = [];
  for (const c of list) {
    const principal = principalOf(callerOf(objects, c.caller));
    for (const pod of calleePods(objects, c.callee)) {
      const v = istioAllows(objects, pod, { principal, method: c.method, path: c.path });
      if (!v.allowed) out.push(`${c.caller} → ${pod.name}: ${c.method} ${c.path} (${v.reason})`);
    }
  }
  return out;
}

/** Calls nobody makes: each recorded method and path, from every workload that never makes it to that callee. */
function neverMade(objects: K8sObject[]): Omit<RecordedCall, 'count'>[] {
  const names = [
    ...new Set(
      workloads(objects)
        .filter((w) => w.namespace === MESH_NAMESPACE)
        .map((w) => w.labels['app.kubernetes.io/name']),
    ),
  ].filter(Boolean);
  const made = new Set(calls.map((c) => `${c.caller} ${c.method} ${c.path} ${c.callee}`));
  const out: Omit<RecordedCall, 'count'>[] = [];
  for (const c of calls)
    for (const caller of names)
      if (
        caller !== c.callee &&
        !made.has(`${caller} ${c.method} ${c.path} ${c.callee}`) &&
        !['debug-client', 'flagger-loadtester', 'legacy-client'].includes(caller)
      )
        out.push({ caller, method: c.method, path: c.path, callee: c.callee });
  // and writes nobody makes at all
  for (const [caller, method, path, callee] of [
    ['cpanel', 'DELETE', '/persons/p1', 'face-recognition'],
    ['collector', 'POST', '/persons', 'face-recognition'],
    ['cpanel', 'POST', '/statistics', 'section-1'],
    ['collector', 'POST', '/stream', 'camera-agent-1'],
    ['camera-agent-1', 'POST', '/frames/../statistics', 'section-1'],
    ['collector', 'POST', '/cameras/reload', 'cpanel'],
  ])
    out.push({ caller, method, path, callee });
  return out;
}

describe('the recorded calls', () => {
  it('cover the pipeline: frames, analysis, matching, statistics, alerts, the panels and cpanel’s health view and camera control', () => {
    const pairs = new Set(calls.map((c) => `${c.caller} ${c.method} ${c.path} ${c.callee}`.replace(/-\d+/g, '-N')));
    for (const p of [
      'camera-agent-N POST /frames collector',
      'collector POST /analyze image-analysis',
      'collector POST /match face-recognition',
      'collector POST /statistics section-N',
      'collector POST /alerts alerts',
      'collector POST /analysis cpanel',
      'cpanel POST /stream camera-agent-N',
      'cpanel DELETE /stream camera-agent-N',
      'cpanel GET /status collector',
    ])
      expect([...pairs]).toContain(p);
    expect(file.regenerate).toContain('k8s:record-calls');
  });
});

describe('AuthorizationPolicies', () => {
  it('allow every recorded call in every Istio overlay, scenario and test combination', () => {
    const targets = renderTargets(root).filter((t) => hasAuthz(renders.get(t) ?? []));
    expect(targets.length).toBeGreaterThanOrEqual(18);
    for (const t of targets) expect([t, deniedByIstio(renders.get(t) ?? [], calls)]).toEqual([t, []]);
  });

  it('deny calls nobody makes in every Istio render', () => {
    for (const t of renderTargets(root).filter((x) => hasAuthz(renders.get(x) ?? []))) {
      const objects = renders.get(t) ?? [];
      const sample = neverMade(objects);
      expect(sample.length).toBeGreaterThan(50);
      const allowed = sample
        .filter((c) => deniedByIstio(objects, [c]).length === 0)
        .map((c) => `${c.caller} ${c.method} ${c.path} → ${c.callee}`);
      expect([t, allowed]).toEqual([t, []]);
    }
  });

  it('catch the authz scenario as it was: it allowed the collector only POST /recognize, so every POST /match was refused', () => {
    const before = parseManifests(
      readFileSync(join(root, 'tools/k8s/test/fixtures/authz-scenario-before.yaml'), 'utf8'),
    );
    const names = new Set(before.map((p) => p.metadata?.name));
    const current = renders.get('deploy/scenarios/authz') ?? [];
    const objects = [
      ...current.filter((o) => !(o.kind === 'AuthorizationPolicy' && names.has(o.metadata?.name))),
      ...before.map((p) => ({ ...p, metadata: { ...p.metadata, namespace: MESH_NAMESPACE } })),
    ];
    const denied = deniedByIstio(objects, calls);
    expect(denied.some((d) => d.startsWith('collector → face-recognition: POST /match'))).toBe(true);
  });
});

describe('NetworkPolicies', () => {
  const plain = () => renderTargets(root).filter((t) => hasNetpol(renders.get(t) ?? []));

  it('allow every recorded call (caller egress and callee ingress on the port) in the plain renders', () => {
    expect(plain().length).toBeGreaterThanOrEqual(2);
    for (const t of plain()) {
      const objects = renders.get(t) ?? [];
      const denied: string[] = [];
      for (const c of calls) {
        const from = callerOf(objects, c.caller);
        for (const pod of calleePods(objects, c.callee)) {
          const v = networkAllows(objects, peerOf(objects, from), { ...peerOf(objects, pod), ports: pod.ports }, 8080);
          if (!v.allowed) denied.push(`${c.caller} → ${pod.name}: ${v.reason}`);
        }
      }
      expect([t, denied]).toEqual([t, []]);
    }
  });

  it('deny connections between workloads that never call each other', () => {
    for (const t of plain()) {
      const objects = renders.get(t) ?? [];
      const talk = new Set(calls.map((c) => `${c.caller} ${c.callee}`));
      const names = [...new Set(workloads(objects).map((w) => w.labels['app.kubernetes.io/name']))];
      let checked = 0;
      for (const a of names)
        for (const b of names) {
          if (a === b || talk.has(`${a} ${b}`)) continue;
          const from = callerOf(objects, a);
          for (const pod of calleePods(objects, b.startsWith('cpanel') ? 'cpanel' : b)) {
            checked++;
            expect([
              t,
              a,
              b,
              networkAllows(objects, peerOf(objects, from), { ...peerOf(objects, pod), ports: pod.ports }, 8080)
                .allowed,
            ]).toEqual([t, a, b, false]);
          }
        }
      expect(checked).toBeGreaterThan(40);
    }
  });
});
