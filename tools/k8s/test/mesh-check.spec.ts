// Each mesh check against a broken copy of the real Istio overlay render: the clean render passes,
// one mistake of each kind is caught and named.
import { join } from 'node:path';
import { checkMesh, type MeshCheck } from '../src/mesh-check.js';
import { repoRoot } from '../src/paths.js';
import { render, type K8sObject } from '../src/render.js';

let rendered: K8sObject[];
beforeAll(async () => {
  rendered = await render(join(repoRoot(), 'deploy/overlays/istio'));
}, 60_000);

const copy = () => structuredClone(rendered);
const find = (objs: K8sObject[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`${kind} ${name} not in the render`);
  return o;
};
const checks = (objs: K8sObject[], check: MeshCheck) =>
  checkMesh(objs)
    .filter((i) => i.check === check)
    .map((i) => `${i.object}: ${i.message}`);

it('passes the unmodified Istio overlay', () => {
  expect(checkMesh(rendered)).toEqual([]);
});

it('destination-host: a VirtualService routing to a host that is no Service', () => {
  const objs = copy();
  find(objs, 'VirtualService', 'alerts').spec.http[0].route[0].destination.host = 'alert';
  expect(checks(objs, 'destination-host')).toEqual([
    'VirtualService airport-mesh/alerts: http[0] (default): destination host "alert" is neither a Service nor a ServiceEntry host in the render',
  ]);
});

it('subset: a subset no DestinationRule defines, and a subset whose labels select no pod', () => {
  const objs = copy();
  find(objs, 'VirtualService', 'cpanel').spec.http[0].route[1].destination.subset = 'v3';
  expect(checks(objs, 'subset')).toEqual([
    'VirtualService airport-mesh/cpanel: http[0] (default): subset "v3" of cpanel is not defined in a DestinationRule',
  ]);
  const objs2 = copy();
  find(objs2, 'DestinationRule', 'cpanel').spec.subsets[1].labels = { version: 'V2' };
  const found = checks(objs2, 'subset');
  expect(found).toContain(
    'DestinationRule airport-mesh/cpanel: subset "v2" (labels {"version":"V2"}) selects no pod of a Deployment behind cpanel',
  );
  expect(
    found.some((f) => f.startsWith('VirtualService airport-mesh/ingress: http[7] (cpanel): subset "v2" of cpanel')),
  ).toBe(true);
});

it('route-weights: weights that do not sum to 100', () => {
  const objs = copy();
  find(objs, 'VirtualService', 'cpanel').spec.http[0].route[0].weight = 50;
  expect(checks(objs, 'route-weights')).toEqual([
    'VirtualService airport-mesh/cpanel: http[0] (default): route weights sum to 50, not 100',
  ]);
});

it('port-protocol: a Service port without a protocol name or appProtocol', () => {
  const objs = copy();
  const port = find(objs, 'Service', 'collector').spec.ports[0];
  delete port.appProtocol;
  port.name = 'web';
  expect(checks(objs, 'port-protocol')).toEqual([
    'Service airport-mesh/collector: port 8080: neither appProtocol nor a protocol-prefixed name (http, http-…, grpc, tcp…)',
  ]);
});

it('proxy-uid: a container running as 1337, the UID Istio reserves for its proxy', () => {
  const objs = copy();
  find(objs, 'Deployment', 'alerts').spec.template.spec.containers[0].securityContext.runAsUser = 1337;
  expect(checks(objs, 'proxy-uid')).toEqual([
    "Deployment airport-mesh/alerts: container alerts runs as UID 1337, the Istio proxy's UID",
  ]);
});

it('gateway-hosts: a VirtualService host that its Gateway does not serve, and a missing Gateway', () => {
  const objs = copy();
  find(objs, 'Gateway', 'airport-gateway').spec.servers[0].hosts = ['airport.example.com'];
  expect(checks(objs, 'gateway-hosts')).toEqual([
    'VirtualService airport-mesh/ingress: host "*" is not served by Gateway airport-mesh/airport-gateway (hosts airport.example.com)',
  ]);
  const objs2 = copy();
  find(objs2, 'VirtualService', 'ingress').spec.gateways = ['airport-gw'];
  expect(checks(objs2, 'gateway-hosts')).toEqual([
    'VirtualService airport-mesh/ingress: bound to Gateway airport-mesh/airport-gw, which is not in the render',
  ]);
});

it('authz-principal: a principal naming a ServiceAccount that does not exist', () => {
  const objs = copy();
  find(objs, 'AuthorizationPolicy', 'section-1').spec.rules[0].from[0].source.principals.push(
    'cluster.local/ns/airport-mesh/sa/colector',
  );
  expect(checks(objs, 'authz-principal')).toEqual([
    'AuthorizationPolicy airport-mesh/section-1: principal "cluster.local/ns/airport-mesh/sa/colector" names no ServiceAccount in the render',
  ]);
});

it('deprecated: v1alpha3 APIs, `percent` and `consecutiveErrors`', () => {
  const objs = copy();
  const vs = find(objs, 'VirtualService', 'alerts');
  vs.apiVersion = 'networking.istio.io/v1alpha3';
  vs.spec.http[0].fault = { abort: { httpStatus: 503, percent: 50 } };
  find(objs, 'DestinationRule', 'alerts').spec.trafficPolicy = { outlierDetection: { consecutiveErrors: 3 } };
  expect(checks(objs, 'deprecated').sort()).toEqual([
    'DestinationRule airport-mesh/alerts: /spec/trafficPolicy/outlierDetection/consecutiveErrors is deprecated: use consecutive5xxErrors',
    'VirtualService airport-mesh/alerts: /spec/http/0/fault/abort/percent is deprecated: use percentage.value',
    'VirtualService airport-mesh/alerts: networking.istio.io/v1alpha3 is deprecated for VirtualService: use networking.istio.io/v1',
  ]);
});

it('namespace: an object that would land in whatever namespace kubectl points at', () => {
  const objs = copy();
  delete find(objs, 'ServiceAccount', 'collector').metadata?.namespace;
  expect(checks(objs, 'namespace')).toEqual(['ServiceAccount collector: has no metadata.namespace']);
});
