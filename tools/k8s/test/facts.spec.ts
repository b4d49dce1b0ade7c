// What the demo CLI names in the cluster, resolved against the rendered manifests of the overlay or
// scenario it targets (real kubectl kustomize), not against a recording: label selectors find pods,
// those pods read the chaos Secret and listen where the port-forward goes, named Deployments and
// containers exist, every ingress path reaches the Service, port, pods and path it means, the
// in-mesh checks get the verdict they print, and the ingress discovery rule matches the renders.
import {
  CAMERA_CONTROL,
  CAMERA_IDS,
  CHAOS_SECRET,
  DEPLOYS,
  GATEWAY_API,
  HEALTH_PATHS,
  IN_MESH_CHECKS,
  ISTIO_GATEWAY,
  LOADS,
  NAMED_WORKLOADS,
  NAMESPACE,
  PART_OF,
  POD_COMMANDS,
  SECTION_IDS,
} from '../src/demo.js';
import { GATEWAY_CLASS } from '../src/cluster-up.js';
import { INGRESS_GATEWAY_PRINCIPAL, istioAllows, principalOf, workloads } from '../src/policy.js';
import type { K8sObject } from '../src/render.js';
import { find, podsFor, resolveIngress, secretRefs } from '../src/resolve.js';
import { renderAll } from './renders.js';

let renders: Map<string, K8sObject[]>;
const objectsOf = (t: string) => {
  const o = renders.get(t);
  if (!o) throw new Error(`${t} is not a render target`);
  return o;
};
const isIstio = (objects: K8sObject[]) => objects.some((o) => o.kind === 'VirtualService');
const deployment = (objects: K8sObject[], name: string) => find(objects, 'Deployment', name, NAMESPACE);
const replicas = (objects: K8sObject[], name: string) => deployment(objects, name)?.spec?.replicas ?? 1;

beforeAll(async () => {
  renders = await renderAll();
}, 240_000);

/** The pods a selector finds in a render, each checked: reads the chaos token, listens on 8080 (the port-forward's target). */
function chaosPods(objects: K8sObject[], selector: string): string[] {
  const pods = podsFor(objects, selector, NAMESPACE);
  const problems: string[] = [];
  for (const w of pods) {
    const refs = secretRefs(deployment(objects, w.name) ?? {});
    if (!refs.some((r) => r.name === CHAOS_SECRET.name && r.key === CHAOS_SECRET.key))
      problems.push(`${w.name} does not read Secret ${CHAOS_SECRET.name}/${CHAOS_SECRET.key}`);
    if (!Object.values(w.ports).includes(8080)) problems.push(`${w.name} has no container port 8080`);
  }
  expect(problems).toEqual([]);
  return pods.map((w) => w.name);
}

describe('chaos and pod lookups', () => {
  it('every chaos step of a deploy finds pods in its render, and they read the admin token', () => {
    for (const [command, d] of Object.entries(DEPLOYS))
      for (const step of d.chaos ?? []) {
        const objects = objectsOf(d.target);
        const names = chaosPods(objects, step.selector);
        expect([command, step.selector, names.length > 0]).toEqual([command, step.selector, true]);
        // one sick replica among healthy ones needs more than one replica behind the selector
        if (step.onlyFirst && command === 'outlier-detection')
          expect(names.reduce((n, w) => n + replicas(objects, w), 0)).toBeGreaterThan(1);
      }
  });

  it('every pod command finds pods in each render it is meant for', () => {
    for (const [command, c] of Object.entries(POD_COMMANDS))
      for (const t of c.targets) {
        const names =
          c.chaos === undefined
            ? podsFor(objectsOf(t), c.selector, NAMESPACE).map((w) => w.name)
            : chaosPods(objectsOf(t), c.selector);
        expect([command, t, names.length > 0]).toEqual([command, t, true]);
      }
  });

  it('chaos-reset reaches every pod of the system in every render (the pods carry app.kubernetes.io/part-of)', () => {
    for (const t of POD_COMMANDS['chaos-reset'].targets) {
      const objects = objectsOf(t);
      const ours = workloads(objects)
        .filter((w) =>
          (deployment(objects, w.name)?.spec?.template?.spec?.containers ?? []).some((c: { image: string }) =>
            c.image.startsWith('airport-mesh/'),
          ),
        )
        .map((w) => w.name)
        .sort();
      expect(ours.length).toBeGreaterThanOrEqual(10);
      expect(
        podsFor(objects, PART_OF, NAMESPACE)
          .map((w) => w.name)
          .sort(),
      ).toEqual(ours);
    }
  });

  it('every Deployment and container a command names exists in the render it targets', () => {
    for (const n of NAMED_WORKLOADS)
      for (const t of n.targets) {
        const d = deployment(objectsOf(t), n.deployment);
        expect([n.command, t, n.deployment, !!d]).toEqual([n.command, t, n.deployment, true]);
        if (n.container)
          expect((d?.spec?.template?.spec?.containers ?? []).map((c: { name: string }) => c.name)).toContain(
            n.container,
          );
      }
  });
});

describe('the ingress paths the demo sends to', () => {
  const deployTargets = [...new Set(Object.values(DEPLOYS).map((d) => d.target))];

  it("every seed path reaches the right Service, pods and path in every deploy's render", () => {
    for (const t of deployTargets) {
      const objects = objectsOf(t);
      for (const path of HEALTH_PATHS) {
        const r = resolveIngress(objects, NAMESPACE, path);
        expect(r.backends.every((b) => b.pods.length > 0 && b.targetPort === 8080)).toBe(true);
        const services = r.backends.filter((b) => b.weight > 0).map((b) => b.service);
        const cam = /^\/cameras\/(\d)\/state$/.exec(path);
        const sec = /^\/sections\/(\d)\/(.*)$/.exec(path);
        if (cam) expect([t, path, services, r.path]).toEqual([t, path, [`camera-agent-${cam[1]}`], '/state']);
        else if (sec) expect([t, path, services, r.path]).toEqual([t, path, [`section-${sec[1]}`], `/${sec[2]}`]);
        else if (path.startsWith('/collector/')) expect([t, services, r.path]).toEqual([t, ['collector'], '/status']);
        else if (path.startsWith('/alerts/')) expect([t, services, r.path]).toEqual([t, ['alerts'], '/status']);
        else
          expect([t, path, services.every((s) => s === 'cpanel' || s === 'cpanel-primary'), r.path]).toEqual([
            t,
            path,
            true,
            '/status',
          ]);
      }
    }
  });

  it('/status answers from cpanel v1 only on the plain overlay and the default scenario (v1 and v2 only where a scenario splits)', () => {
    for (const t of ['deploy/overlays/plain', 'deploy/scenarios/default', 'deploy/scenarios/blue-green']) {
      const r = resolveIngress(objectsOf(t), NAMESPACE, '/status');
      const versions = new Set(
        r.backends.filter((b) => b.weight > 0).flatMap((b) => b.pods.map((p) => p.labels.version)),
      );
      expect([t, [...versions]]).toEqual([t, ['v1']]);
    }
    const split = resolveIngress(objectsOf('deploy/scenarios/cpanel-50-50'), NAMESPACE, '/status');
    expect(split.backends.map((b) => [b.pods.map((p) => p.labels.version).join(), b.weight])).toEqual([
      ['v1', 50],
      ['v2', 50],
    ]);
  });

  it('each load command and the camera buttons reach a backend in the renders they are meant for, and the Istio gateway may send them', () => {
    const sends: [string, string, string][] = [];
    for (const l of Object.values(LOADS)) for (const t of l.targets) sends.push([t, 'GET', l.path]);
    for (const t of deployTargets)
      for (const id of CAMERA_IDS)
        sends.push([t, CAMERA_CONTROL(id, 'start').method, CAMERA_CONTROL(id, 'start').path]);
    for (const [t, method, path] of sends) {
      const objects = objectsOf(t);
      const r = resolveIngress(objects, NAMESPACE, path, { method });
      expect(r.backends.length).toBeGreaterThan(0);
      if (isIstio(objects))
        for (const b of r.backends)
          for (const pod of b.pods) {
            const v = istioAllows(objects, pod, { principal: INGRESS_GATEWAY_PRINCIPAL, method, path: r.path });
            expect([t, method, path, pod.name, v.allowed, v.reason]).toEqual([
              t,
              method,
              path,
              pod.name,
              true,
              v.reason,
            ]);
          }
    }
  });

  it('from outside, writes to the pipeline find no route (plain) or are denied at the service (Istio)', () => {
    for (const [t, method, path] of [
      ['deploy/overlays/plain', 'POST', '/collector/frames'],
      ['deploy/overlays/plain', 'POST', '/sections/1/statistics'],
      ['deploy/overlays/plain', 'DELETE', '/alerts/alerts'],
    ])
      expect(() => resolveIngress(objectsOf(t), NAMESPACE, path, { method })).toThrow(/no HTTPRoute/);
    const objects = objectsOf('deploy/scenarios/default');
    for (const [method, path] of [
      ['POST', '/collector/frames'],
      ['POST', '/sections/1/statistics'],
      ['POST', '/alerts/alerts'],
      ['PUT', '/chaos'],
      ['POST', '/cameras/reload'],
    ]) {
      const r = resolveIngress(objects, NAMESPACE, path, { method });
      for (const b of r.backends)
        for (const pod of b.pods)
          expect([
            method,
            path,
            istioAllows(objects, pod, { principal: INGRESS_GATEWAY_PRINCIPAL, method, path: r.path }).allowed,
          ]).toEqual([method, path, false]);
    }
  });

  it('ingress discovery: Istio renders label the namespace for injection and bind the gateway the CLI looks up; plain renders have the Gateway API Gateway', () => {
    for (const t of deployTargets) {
      const objects = objectsOf(t);
      const ns = find(objects, 'Namespace', NAMESPACE);
      if (isIstio(objects)) {
        expect([t, ns?.metadata?.labels?.['istio-injection']]).toEqual([t, 'enabled']);
        const gw = objects.find((o) => o.kind === 'Gateway' && o.apiVersion?.startsWith('networking.istio.io'));
        // istioctl's demo profile labels the Service's pods istio=ingressgateway
        expect(gw?.spec?.selector).toEqual({ istio: ISTIO_GATEWAY.service.replace('istio-', '') });
      } else {
        expect([t, ns?.metadata?.labels?.['istio-injection']]).toEqual([t, undefined]);
        const gw = find(objects, 'Gateway', GATEWAY_API.gateway, NAMESPACE);
        expect(gw?.spec?.gatewayClassName).toBe(GATEWAY_CLASS.name);
        expect(GATEWAY_API.selector).toContain(`owning-gateway-name=${GATEWAY_API.gateway}`);
      }
    }
  });
});

describe('in-mesh checks', () => {
  it('each check from a meshed client gets the verdict the command expects, by the policies of its render', () => {
    for (const c of IN_MESH_CHECKS) {
      const t = NAMED_WORKLOADS.find((n) => n.command === c.command && n.deployment === c.from)?.targets[0] ?? '';
      const objects = objectsOf(t);
      const url = new URL(c.url);
      const svc = url.hostname.split('.')[0];
      const from = workloads(objects).find((w) => w.name === c.from);
      const r = find(objects, 'Service', svc, NAMESPACE);
      expect([c.command, !!from, !!r, Number(url.port)]).toEqual([c.command, true, true, r?.spec?.ports?.[0]?.port]);
      const targets = podsFor(objects, `app=${svc}`, NAMESPACE);
      for (const pod of targets) {
        const v = istioAllows(objects, pod, { principal: principalOf(from!), method: c.method, path: url.pathname });
        expect([c.command, c.method, c.url, v.allowed ? 'allowed' : 'denied']).toEqual([
          c.command,
          c.method,
          c.url,
          c.expect,
        ]);
      }
    }
  });
});

describe('section and camera ids', () => {
  it('the demo ids are the instances the base renders', () => {
    const objects = objectsOf('deploy/scenarios/default');
    const env = (name: string) =>
      Object.fromEntries(
        (deployment(objects, name)?.spec?.template?.spec?.containers?.[0]?.env ?? []).map(
          (e: { name: string; value?: string }) => [e.name, e.value],
        ),
      );
    for (const id of CAMERA_IDS)
      expect(env(`camera-agent-${id}`)).toMatchObject({ CAMERA_ID: String(id), CAMERA_SECTION: expect.any(String) });
    for (const id of SECTION_IDS) expect(env(`section-${id}`)).toMatchObject({ SECTION_ID: String(id) });
  });
});
