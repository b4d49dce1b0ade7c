// What the lab's cluster target names in the cluster, resolved against the rendered manifests of the
// overlay or scenario each experiment applies (real kubectl kustomize, through the shared driver's
// render), not against a recording: fault selectors find pods that read the chaos token, a killed
// Deployment exists, frames reach a collector pod on 8080, the split path and the section store are
// reached through the gateway of each mode, and the gateway may read them.
import { join } from 'node:path';
import {
  CHAOS_SECRET,
  find,
  INGRESS_GATEWAY_PRINCIPAL,
  istioAllows,
  NAMESPACE,
  podsFor,
  render,
  resolveIngress,
  secretRefs,
  serviceOfPod,
  type K8sObject,
} from '@airport-mesh/k8s-tools';
import { REPO_ROOT } from '@airport-mesh/local-stack';
import { EXPERIMENTS } from '../src/experiments.js';
import { CLUSTER_MODES } from '../src/types.js';

const renders = new Map<string, K8sObject[]>();
const withCluster = EXPERIMENTS.filter((e) => e.cluster);

beforeAll(async () => {
  const targets = [...new Set(withCluster.flatMap((e) => CLUSTER_MODES.map((m) => e.cluster!.manifests[m])))];
  for (const t of targets) renders.set(t, await render(join(REPO_ROOT, t)));
}, 120_000);

const objectsOf = (t: string) => renders.get(t) ?? [];
const isIstio = (objects: K8sObject[]) => objects.some((o) => o.kind === 'VirtualService');

/** A read through the gateway of a render: it reaches pods, and the Istio gateway may send it. */
function readThroughGateway(objects: K8sObject[], path: string): string[] {
  const r = resolveIngress(objects, NAMESPACE, path);
  const pods = r.backends.flatMap((b) => b.pods);
  expect(pods.length).toBeGreaterThan(0);
  if (isIstio(objects))
    for (const pod of pods)
      expect(
        istioAllows(objects, pod, { principal: INGRESS_GATEWAY_PRINCIPAL, method: 'GET', path: r.path }).allowed,
      ).toBe(true);
  return [...new Set(r.backends.filter((b) => b.weight > 0).map((b) => b.service))];
}

describe('the lab against the renders', () => {
  it('has cluster experiments in both modes', () => {
    expect(withCluster.length).toBeGreaterThanOrEqual(4);
    expect(CLUSTER_MODES).toEqual(['plain', 'istio']);
  });

  it('every fault finds pods in the render of each mode (and chaos pods read the admin token)', () => {
    for (const e of withCluster)
      for (const mode of CLUSTER_MODES) {
        const objects = objectsOf(e.cluster!.manifests[mode]);
        const fault = e.cluster!.fault;
        if (fault.kind === 'none') continue;
        const pods = podsFor(objects, fault.selector, NAMESPACE);
        expect([e.name, mode, fault.selector, pods.length > 0]).toEqual([e.name, mode, fault.selector, true]);
        if (fault.kind === 'chaos')
          for (const w of pods) {
            const refs = secretRefs(find(objects, 'Deployment', w.name, NAMESPACE) ?? {});
            expect(refs).toContainEqual({ name: CHAOS_SECRET.name, key: CHAOS_SECRET.key, optional: true });
            expect(serviceOfPod(`${w.name}-5d8f9-x2k4p`)).toBe(
              w.labels['app.kubernetes.io/name'].replace(/-(\d|v\d)$/, ''),
            );
          }
        if (fault.kind === 'kill-pod') expect(find(objects, 'Deployment', fault.deployment, NAMESPACE)).toBeDefined();
      }
  });

  it('frames go to a collector pod on 8080; split loads and the section store are read through the gateway', () => {
    for (const e of withCluster)
      for (const mode of CLUSTER_MODES) {
        const objects = objectsOf(e.cluster!.manifests[mode]);
        if (e.kind === 'frames') {
          expect(e.cluster!.path).toBe('/collector/frames');
          const collector = podsFor(objects, 'app=collector', NAMESPACE);
          expect(collector.length).toBeGreaterThan(0);
          for (const w of collector) expect(Object.values(w.ports)).toContain(8080);
          expect(readThroughGateway(objects, '/sections/1/statistics')).toEqual(['section-1']);
          expect(podsFor(objects, 'app=section-1', NAMESPACE).length).toBe(1);
        } else {
          expect(readThroughGateway(objects, e.cluster!.path).every((s) => s.startsWith('cpanel'))).toBe(true);
        }
      }
  });
});
