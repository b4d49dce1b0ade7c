// Scenario semantics checked against the renders: switching from any scenario to any other leaves
// nothing of the first (the ApplySet the demo applies with prunes what the next render lacks), a
// delayed call arrives late instead of timing out, and least-request is shown with concurrent load.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOYS, LOADS, NAMESPACE } from '../src/demo.js';
import type { CallsFile } from '../src/record-calls.js';
import type { K8sObject } from '../src/render.js';
import { renderAll, root } from './renders.js';

let renders: Map<string, K8sObject[]>;
beforeAll(async () => {
  renders = await renderAll([...new Set(Object.values(DEPLOYS).map((d) => d.target))]);
}, 240_000);

const gk = (o: K8sObject) => `${(o.apiVersion ?? '').includes('/') ? o.apiVersion?.split('/')[0] : ''}/${o.kind}`;
const key = (o: K8sObject) => `${gk(o)}/${o.metadata?.namespace ?? '-'}/${o.metadata?.name}`;

/**
 * The cluster after `kubectl apply --prune --applyset=<parent>` of `next` over what the same ApplySet
 * applied before (kubectl's ApplySet pruning: objects labelled with the set's id, in the namespaces and
 * group-kinds the parent recorded before or now, that the new apply does not contain, are deleted).
 * Objects outside the set (`unmanaged`: Namespaces applied on their own) stay as they are.
 */
function afterApplySet(previous: K8sObject[], next: K8sObject[], unmanaged: K8sObject[]): Set<string> {
  const ns = new Set([...previous, ...next].map((o) => o.metadata?.namespace));
  const kinds = new Set([...previous, ...next].map(gk));
  const nextKeys = new Set(next.map(key));
  const kept = previous.filter((o) => nextKeys.has(key(o)) || !ns.has(o.metadata?.namespace) || !kinds.has(gk(o)));
  return new Set([...kept, ...next, ...unmanaged].map(key));
}

describe('switching scenarios', () => {
  it('leaves no object of the first scenario, for every ordered pair', () => {
    const targets = [...renders.keys()];
    let pairs = 0;
    let pruned = 0;
    for (const a of targets)
      for (const b of targets) {
        if (a === b) continue;
        pairs++;
        const A = renders.get(a) ?? [];
        const B = renders.get(b) ?? [];
        // what the demo does (test/demo.spec.ts): the Namespaces on their own, the rest as one ApplySet in one namespace
        const inSet = (objs: K8sObject[]) => objs.filter((o) => o.kind !== 'Namespace');
        expect(
          inSet(A)
            .filter((o) => o.metadata?.namespace !== NAMESPACE)
            .map(key),
        ).toEqual([]);
        const state = afterApplySet(
          inSet(A),
          inSet(B),
          [...A, ...B].filter((o) => o.kind === 'Namespace'),
        );
        const leftovers = [...state].filter((k) => !new Set(B.map(key)).has(k));
        expect([a, b, leftovers]).toEqual([a, b, []]);
        pruned += A.filter((o) => !B.some((x) => key(x) === key(o))).length;
      }
    expect(pairs).toBe(targets.length * (targets.length - 1));
    // the objects that used to survive a switch are among those pruned
    expect(pruned).toBeGreaterThan(100);
  });

  it('the objects that plain `kubectl apply` left behind are exactly what pruning removes', () => {
    const from = (t: string) => new Set((renders.get(t) ?? []).map(key));
    const def = from('deploy/scenarios/default');
    const gone = (t: string) => [...from(t)].filter((k) => !def.has(k)).sort();
    expect(gone('deploy/scenarios/rate-limit')).toEqual([
      'networking.istio.io/EnvoyFilter/airport-mesh/collector-local-ratelimit',
    ]);
    expect(gone('deploy/scenarios/egress')).toEqual(['networking.istio.io/ServiceEntry/airport-mesh/alert-webhook']);
    expect(gone('deploy/scenarios/authz')).toEqual(
      expect.arrayContaining([
        'apps/Deployment/airport-mesh/debug-client',
        '/ServiceAccount/airport-mesh/debug-client',
      ]),
    );
    expect(gone('deploy/scenarios/flagger-canary')).toEqual(
      expect.arrayContaining([
        'flagger.app/Canary/airport-mesh/cpanel',
        'apps/Deployment/airport-mesh/flagger-loadtester',
      ]),
    );
    // and only one Namespace exists in any render: nothing outside the ApplySet's namespace to leave behind
    for (const [t, objects] of renders)
      expect([t, objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata?.name)]).toEqual([t, [NAMESPACE]]);
  });
});

describe('fault-delay', () => {
  const calls = (JSON.parse(readFileSync(join(root, 'tools/k8s/calls/pipeline-calls.json'), 'utf8')) as CallsFile)
    .calls;
  const baseEnv = readFileSync(join(root, 'libs/platform/src/config/base-env.ts'), 'utf8');
  const defaultTimeout = Number(/HTTP_TIMEOUT_MS = ([\d_]+)/.exec(baseEnv)?.[1].replace(/_/g, ''));
  const seconds = (d: string) => Number(/^(\d+(?:\.\d+)?)s$/.exec(d)?.[1] ?? NaN) * 1000;

  it('every caller on a delayed path waits longer than the injected delay (a delayed frame arrives late, it does not fail)', () => {
    expect(defaultTimeout).toBe(10_000);
    let checked = 0;
    for (const [t, objects] of renders) {
      for (const vs of objects.filter((o) => o.kind === 'VirtualService' && !(o.spec?.gateways ?? []).length))
        for (const route of vs.spec?.http ?? []) {
          const delay = route.fault?.delay?.fixedDelay;
          if (!delay) continue;
          // who waits for this host on the frame path: its callers' writes, their callers', … (recorded
          // calls; the health reads of cpanel's view have their own short deadline and show the delay,
          // and camera control, POST /stream, returns at once: it does not wait for frames)
          const waiting = new Set<string>();
          const queue = [vs.spec.hosts[0] as string];
          while (queue.length) {
            const callee = queue.shift() as string;
            for (const c of calls.filter(
              (x) => x.callee === callee && x.method === 'POST' && x.path !== '/stream' && !waiting.has(x.caller),
            )) {
              waiting.add(c.caller);
              queue.push(c.caller);
            }
          }
          expect(waiting.size).toBeGreaterThan(0);
          for (const caller of waiting) {
            const d = objects.find(
              (o) =>
                o.kind === 'Deployment' && o.spec?.template?.metadata?.labels?.['app.kubernetes.io/name'] === caller,
            );
            for (const dep of d
              ? [d]
              : objects.filter((o) => o.kind === 'Deployment' && o.spec?.template?.metadata?.labels?.app === caller)) {
              const env = (dep.spec?.template?.spec?.containers?.[0]?.env ?? []) as { name: string; value?: string }[];
              const timeout = Number(env.find((e) => e.name === 'HTTP_TIMEOUT_MS')?.value ?? defaultTimeout);
              checked++;
              expect([t, vs.metadata?.name, caller, timeout > seconds(delay) + 1000]).toEqual([
                t,
                vs.metadata?.name,
                caller,
                true,
              ]);
            }
          }
        }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});

describe('least-request', () => {
  it('is demonstrated with concurrent load (one request at a time gives every replica zero active requests)', () => {
    for (const [t, objects] of renders) {
      const lr = objects.some(
        (o) => o.kind === 'DestinationRule' && o.spec?.trafficPolicy?.loadBalancer?.simple === 'LEAST_REQUEST',
      );
      if (!lr) continue;
      const readme = readFileSync(join(root, t, 'README.md'), 'utf8');
      const run = /\*\*Run it\*\*\s*```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
      const loads = [...run.matchAll(/^make (\S+)/gm)].map((m) => m[1]).filter((c) => c in LOADS);
      expect([t, loads.length > 0, loads.every((c) => LOADS[c].concurrency > 1)]).toEqual([t, true, true]);
      expect(LOADS['load-concurrent'].targets).toContain(t);
    }
  });
});
