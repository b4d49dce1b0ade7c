// Strict schema validation: what `kubectl apply --validate=strict` would refuse on a real cluster
// (unknown fields, wrong types, enums, missing required fields) is refused offline.
import { parseManifests } from '../src/render.js';
import { validateObjects } from '../src/schema.js';

const messages = async (yaml: string) =>
  (await validateObjects(parseManifests(yaml))).map((i) => `${i.path}: ${i.message}`);

const deployment = (extra = '', containerExtra = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: x, namespace: n}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec:
      ${extra}
      containers:
        - name: x
          image: airport-mesh/x:1
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /health/ready, port: http}}
          ${containerExtra}
`;

const virtualService = (httpRoute: string) => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: x, namespace: n}
spec:
  hosts: [x]
  http:
    - ${httpRoute}
      route: [{destination: {host: x, subset: v1}}]
`;

describe('core kinds (kubernetes-models, from the Kubernetes OpenAPI spec)', () => {
  it('accepts a valid Deployment', async () => {
    expect(await messages(deployment('securityContext: {runAsNonRoot: true, runAsUser: 10001}'))).toEqual([]);
  }, 60_000);

  it('rejects an unknown field, however deep', async () => {
    expect(await messages(deployment('', 'envv: []'))).toEqual([
      '/spec/template/spec/containers/0/envv: unknown field "envv"',
    ]);
    expect(await messages(deployment('securityContext: {runAsUsr: 10001}'))).toEqual([
      '/spec/template/spec/securityContext/runAsUsr: unknown field "runAsUsr"',
    ]);
  });

  it('rejects a wrong type, a value outside an enum and a missing required field', async () => {
    expect(await messages(deployment('securityContext: {runAsUser: "10001"}'))).toContain(
      '/spec/template/spec/securityContext/runAsUser: expected number, got string',
    );
    const policy = await messages(deployment('', 'imagePullPolicy: Sometimes'));
    expect(policy[0]).toBe(
      '/spec/template/spec/containers/0/imagePullPolicy: "Sometimes" is not one of "Always", "IfNotPresent", "Never"',
    );
    expect(
      await messages(
        'apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: n}\nspec: {ports: [{name: http}]}\n',
      ),
    ).toContain('/spec/ports/0/port: required field "port" is missing');
  });

  it('refuses a kind it has no schema for', async () => {
    expect(await messages('apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n')).toEqual([
      ': no schema for example.com/v1/Widget: add it to SUPPORTED_KINDS in tools/k8s/src/schema.ts',
    ]);
  });
});

describe("Istio kinds (@kubernetes-models/istio, from Istio's CRD schemas)", () => {
  it('accepts a valid VirtualService with retries and a fault', async () => {
    expect(
      await messages(
        virtualService(
          'retries: {attempts: 3, perTryTimeout: 2s}\n      fault: {abort: {httpStatus: 503, percentage: {value: 50}}}',
        ),
      ),
    ).toEqual([]);
  });

  it('rejects `retrys`', async () => {
    expect(await messages(virtualService('retrys: {attempts: 3}'))).toEqual([
      '/spec/http/0/retrys: unknown field "retrys"',
    ]);
  });

  it('rejects an unknown load balancer and an unknown DestinationRule field', async () => {
    const dr = (tp: string) =>
      `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: x, namespace: n}\nspec:\n  host: x\n  trafficPolicy: ${tp}\n`;
    expect(await messages(dr('{loadBalancer: {simple: RANDOM}}'))).toEqual([]);
    // (the enum comes from the CRD's compiled validator)
    expect(await messages(dr('{loadBalancer: {simple: FASTEST}}'))).toEqual([
      '/spec/trafficPolicy/loadBalancer/simple: must be equal to one of the allowed values',
    ]);
    expect(await messages(dr('{outlierDetection: {consecutive5xxError: 3}}'))).toEqual([
      '/spec/trafficPolicy/outlierDetection/consecutive5xxError: unknown field "consecutive5xxError"',
    ]);
  });

  it('keeps an EnvoyFilter patch value open (x-kubernetes-preserve-unknown-fields), but not its envelope', async () => {
    const ef = (extra: string) =>
      `apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: e, namespace: n}\nspec:\n  configPatches:\n    - applyTo: HTTP_FILTER\n      patch: {operation: INSERT_BEFORE, value: {name: anything, typed_config: {a: 1}}${extra}}\n`;
    expect(await messages(ef(''))).toEqual([]);
    expect(await messages(ef(', operaton: MERGE'))).toEqual([
      '/spec/configPatches/0/patch/operaton: unknown field "operaton"',
    ]);
  });
});

describe('Flagger Canary (vendored CRD schema)', () => {
  const canary = (extra: string) => `
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: c, namespace: n}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: c}
  service: {port: 8080, delegation: true}
  analysis: {interval: 30s, threshold: 5, stepWeight: 10${extra}}
`;
  it('accepts a valid Canary and rejects an unknown field and a bad interval', async () => {
    expect(await messages(canary(''))).toEqual([]);
    expect(await messages(canary(', stepWieght: 10'))).toEqual([
      '/spec/analysis/stepWieght: unknown field "stepWieght"',
    ]);
    expect(await messages(canary('').replace('interval: 30s', 'interval: soon'))).toEqual([
      '/spec/analysis/interval: "soon" does not match ^[0-9]+(m|s)',
    ]);
  });
});
