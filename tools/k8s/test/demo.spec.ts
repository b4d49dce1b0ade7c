// The demo commands against recorded kubectl invocations: KUBECTL points at a recorder (a real
// executable standing in for the cluster) that logs argv and stdin and answers like a cluster would;
// the ingress and the pods' port-forwards are local HTTP servers. What is asserted is what a user
// would check: which manifests are applied, in which order, and what the commands print.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPS, image } from '../src/cluster-up.js';
import { APPLYSET, commands, DEPLOYS, GATEWAY_API, ingressAddress, NAMESPACE, type Io } from '../src/demo.js';
import { kubectlPath } from '../src/kubectl.js';
import { repoRoot } from '../src/paths.js';
import type { K8sObject } from '../src/render.js';
import { deployHash, rendered } from './renders.js';

const root = repoRoot();
/** what kubelets report: every image of the system, loaded into the node (kind load) */
const OUR_IMAGES = APPS.map((a) => `["docker.io/${image(a)}","sha256:0"]`).join(' ');
const RENDER_CACHE = join(root, 'node_modules', '.cache', 'airport-mesh-recorder', deployHash);
let dir: string;
let log: string;
let recorder: string;

// The recorder stands in for the cluster API only: `kubectl kustomize` is passed through to the real
// kubectl 1.34 (REAL_KUBECTL), so every manifest the demo applies is the real render.
const RECORDER = `#!${process.execPath}
const fs = require('fs');
const { execFileSync } = require('child_process');
const args = process.argv.slice(2);
let stdin = '';
if (args[0] !== 'kustomize' && !args.includes('port-forward')) { try { stdin = fs.readFileSync(0, 'utf8'); } catch {} }
fs.appendFileSync(process.env.RECORDER_LOG, JSON.stringify({ args, stdin, applyset: process.env.KUBECTL_APPLYSET }) + '\\n');
const has = (...xs) => xs.every((x) => args.includes(x));
const env = (k, d) => (process.env[k] === undefined ? d : process.env[k]);
if (args[0] === 'kustomize') {
  // one real render per directory and content of deploy/ (RECORDER_CACHE is keyed by that content)
  const file = require('path').join(process.env.RECORDER_CACHE, Buffer.from(args[1]).toString('base64url'));
  if (!fs.existsSync(file)) {
    fs.mkdirSync(process.env.RECORDER_CACHE, { recursive: true });
    fs.writeFileSync(file + '.' + process.pid, execFileSync(process.env.REAL_KUBECTL, args, { maxBuffer: 1 << 26 }));
    fs.renameSync(file + '.' + process.pid, file);
  }
  process.stdout.write(fs.readFileSync(file)); process.exit(0);
}
if (has('get', 'crd') || has('get', 'apiservice')) {
  const missing = env('RECORDER_MISSING', '').split(',');
  if (missing.includes(args[2])) { console.error('NotFound'); process.exit(1); }
  console.log(args[2]); process.exit(0);
}
if (has('get', 'secret', 'chaos-admin', '-o', 'name')) {
  if (env('RECORDER_SECRET', '') === 'present') { console.log('secret/chaos-admin'); process.exit(0); }
  console.error('Error from server (NotFound): secrets "chaos-admin" not found'); process.exit(1);
}
if (has('get', 'secret', 'chaos-admin')) { process.stdout.write(Buffer.from('t0ken').toString('base64')); process.exit(0); }
// the AUTH Secrets: none stored (the deploy makes them); the operator token when RECORDER_OPERATOR is set
if (has('get', 'secret', 'airport-operator') && args.some((a) => a.startsWith('jsonpath='))) {
  if (!process.env.RECORDER_OPERATOR) { console.error('Error from server (NotFound): secrets "airport-operator" not found'); process.exit(1); }
  process.stdout.write(Buffer.from(process.env.RECORDER_OPERATOR).toString('base64')); process.exit(0);
}
if (has('get', 'canaries.flagger.app')) { process.stdout.write(env('RECORDER_CANARY', '')); process.exit(0); }
if (has('get', 'namespace')) { process.stdout.write(env('RECORDER_INJECTION', '')); process.exit(0); }
if (has('get', 'nodes') && args.some((a) => a.includes('images'))) { process.stdout.write(env('RECORDER_IMAGES', '')); process.exit(0); }
if (has('get', 'pods')) { const sel = args[args.indexOf('-l') + 1]; process.stdout.write(JSON.parse(env('RECORDER_PODS', '{}'))[sel] || ''); process.exit(0); }
if (has('get', 'service')) {
  const svcs = JSON.parse(env('RECORDER_SERVICES', '{}'));
  const key = args.includes('-l') ? args[args.indexOf('-l') + 1] : args[args.indexOf('service') + 1];
  if (svcs[key]) { console.log(svcs[key]); process.exit(0); }
  console.error('NotFound'); process.exit(1);
}
if (has('get', 'nodes')) { process.stdout.write('192.0.2.10'); process.exit(0); }
if (args.includes('port-forward')) {
  const pod = args.find((a) => a.startsWith('pod/')).slice(4);
  console.log('Forwarding from 127.0.0.1:' + JSON.parse(process.env.RECORDER_FORWARD)[pod] + ' -> 8080');
  setInterval(() => {}, 1000);
  process.on('SIGTERM', () => process.exit(0));
} else if (args[0] === 'apply') {
  console.log('applied');
}
`;

interface Seen {
  method: string;
  url: string;
  auth?: string;
  body: string;
}

function server(
  handler: (req: IncomingMessage, body: string) => [number, string],
  seen: Seen[] = [],
): Promise<{ server: Server; port: number; seen: Seen[] }> {
  return new Promise((resolve) => {
    const s = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
        const [status, text] = handler(req, body);
        res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
      });
    });
    s.listen(0, '127.0.0.1', () => resolve({ server: s, port: (s.address() as AddressInfo).port, seen }));
  });
}

const calls = () =>
  readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { args: string[]; stdin: string; applyset?: string });

function io(env: Record<string, string>, out: string[]): Io {
  return {
    out: (l) => out.push(l),
    err: (l) => out.push(`ERR ${l}`),
    env: {
      ...process.env,
      KUBECTL: recorder,
      REAL_KUBECTL: kubectlPath({}),
      RECORDER_CACHE: RENDER_CACHE,
      RECORDER_LOG: log,
      RECORDER_IMAGES: OUR_IMAGES,
      ...env,
    },
    root,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'k8s-demo-'));
  log = join(dir, 'kubectl.log');
  writeFileSync(log, '');
  recorder = join(dir, 'kubectl');
  // The recorder is CommonJS whatever package.json a parent folder of the temp dir may hold.
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  writeFileSync(recorder, RECORDER);
  chmodSync(recorder, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const key = (o: K8sObject) => `${o.kind}/${o.metadata?.namespace ?? '-'}/${o.metadata?.name}`;
const applied = (stdin: string) => (JSON.parse(stdin) as { items: K8sObject[] }).items;

/** The commands a deploy issues that change the cluster, in order (probes and reads left out). */
const changes = () =>
  calls()
    .map((x) => x.args.join(' '))
    .filter((a) => /^(apply|delete|-n airport-mesh (delete|rollout restart|apply))/.test(a));

describe('deploy', () => {
  it('deploy-istio-default: preflight, the Namespace, a random chaos token, then the whole render as one ApplySet with pruning, then a rollout wait per Deployment', async () => {
    const out: string[] = [];
    expect(await commands(io({}, out))['deploy-istio-default']([])).toBe(0);
    const c = calls();
    const args = c.map((x) => x.args.join(' '));
    const render = await rendered('deploy/scenarios/default');
    // preflight before the first change
    const firstChange = args.findIndex((a) => a.startsWith('apply'));
    expect(args.slice(0, firstChange).some((a) => a.includes('get crd virtualservices.networking.istio.io'))).toBe(
      true,
    );
    expect(args.slice(0, firstChange).some((a) => a.startsWith('get nodes'))).toBe(true);
    const applies = c.filter((x) => x.args[0] === 'apply' || x.args.includes('apply'));
    expect(applies.map((x) => x.args.join(' '))).toEqual([
      'apply -f -',
      'apply -f -',
      'apply --server-side --field-manager=airport-mesh-k8s --force-conflicts -f -',
      `apply -n ${NAMESPACE} --prune --applyset=${APPLYSET} -f -`,
    ]);
    expect(applied(applies[0].stdin).map(key)).toEqual(['Namespace/-/airport-mesh']);
    const secret = applied(applies[1].stdin)[0];
    expect(key(secret)).toBe('Secret/airport-mesh/chaos-admin');
    expect(secret.stringData?.token).toMatch(/^[0-9a-f]{32}$/);
    expect(out.join('\n')).not.toContain(secret.stringData?.token);
    // the AUTH Secrets the Istio render reads: the operator token only (AUTH=mesh: no service keys)
    const auth = applied(applies[2].stdin);
    expect(auth.map(key)).toEqual(['Secret/airport-mesh/airport-operator']);
    expect(out.join('\n')).not.toContain(Buffer.from(auth[0].data.OPERATOR_TOKEN, 'base64').toString());
    // exactly the render (without its Namespace), with ApplySets switched on
    expect(applies[3].applyset).toBe('true');
    expect(applied(applies[3].stdin).map(key).sort()).toEqual(
      render
        .filter((o) => o.kind !== 'Namespace')
        .map(key)
        .sort(),
    );
    const waits = args.filter((a) => a.includes('rollout status')).map((a) => a.split(' ')[4]);
    expect(waits.sort()).toEqual(
      render
        .filter((o) => o.kind === 'Deployment')
        .map((o) => `deployment/${o.metadata?.name}`)
        .sort(),
    );
    expect(args.indexOf(`-n ${NAMESPACE} rollout status deployment/collector --timeout=300s`)).toBeGreaterThan(
      firstChange,
    );
  }, 180_000);

  it('names what is missing and changes nothing: flagger-canary without Flagger or metrics-server, any deploy without the images on the nodes', async () => {
    const out: string[] = [];
    await expect(
      commands(io({ RECORDER_MISSING: 'canaries.flagger.app,v1beta1.metrics.k8s.io' }, out))['flagger-canary']([]),
    ).rejects.toThrow(/Flagger \(CRD canaries.flagger.app\), metrics-server .*nothing was changed/);
    expect(changes()).toEqual([]);
    writeFileSync(log, '');
    await expect(commands(io({ RECORDER_IMAGES: '' }, out))['deploy-app-default']([])).rejects.toThrow(
      /the images airport-mesh\/.*on the nodes/,
    );
    expect(changes()).toEqual([]);
  }, 180_000);

  it('leaving flagger-canary deletes the Canary (and what Flagger made) before applying; entering it deletes nothing by hand', async () => {
    const table = commands(
      io(
        { RECORDER_SECRET: 'present', RECORDER_CANARY: 'canary.flagger.app/cpanel', RECORDER_INJECTION: 'enabled' },
        [],
      ),
    );
    expect(await table['deploy-istio-default']([])).toBe(0);
    const c = changes();
    expect(c[0]).toBe(
      `-n ${NAMESPACE} delete canaries.flagger.app --all --cascade=foreground --wait=true --timeout=300s`,
    );
    expect(c.at(-1)).toBe(`apply -n ${NAMESPACE} --prune --applyset=${APPLYSET} -f -`);
    writeFileSync(log, '');
    expect(await table['flagger-canary']([])).toBe(0);
    expect(changes().filter((x) => x.includes('delete'))).toEqual([]);
    expect(
      calls().some((x) => x.args.join(' ').includes('wait canaries.flagger.app/cpanel --for=condition=Promoted')),
    ).toBe(true);
  }, 180_000);

  it('after `kubectl apply -k` without the demo (no chaos Secret, pods running), the first deploy creates the token and restarts the pods so they read it', async () => {
    const pods = JSON.stringify({ 'app.kubernetes.io/part-of=airport-mesh': 'collector-6f8d7-abcde' });
    const table = commands(io({ RECORDER_INJECTION: 'enabled', RECORDER_PODS: pods }, []));
    expect(await table['deploy-istio-default']([])).toBe(0);
    const c = changes();
    expect(c.filter((x) => x === 'apply -f -')).toHaveLength(2); // the Namespace, then the Secret
    expect(c).toContain(`-n ${NAMESPACE} rollout restart deployment -l app.kubernetes.io/part-of=airport-mesh`);
  }, 180_000);

  it('deploy-app-default makes the operator token and every service key pair before the apply (AUTH=app), never printing them', async () => {
    const out: string[] = [];
    expect(await commands(io({ RECORDER_SECRET: 'present' }, out))['deploy-app-default']([])).toBe(0);
    const applies = calls().filter((x) => x.args[0] === 'apply');
    const ssa = applies.findIndex((x) => x.args.includes('--server-side'));
    expect(ssa).toBeGreaterThanOrEqual(0);
    expect(applies.findIndex((x) => x.args.includes('--prune'))).toBeGreaterThan(ssa);
    const secrets = applied(applies[ssa].stdin);
    expect(secrets.map(key)).toEqual(
      [
        'airport-operator',
        'airport-key-camera-agent',
        'airport-key-collector',
        'airport-key-cpanel',
        'airport-public-keys',
      ].map((n) => `Secret/airport-mesh/${n}`),
    );
    for (const s of secrets)
      for (const v of Object.values(s.data as Record<string, string>))
        expect(out.join('\n')).not.toContain(Buffer.from(v, 'base64').toString());
  }, 180_000);

  it('switching between plain and Istio restarts every Deployment (sidecars come and go)', async () => {
    const table = commands(io({ RECORDER_SECRET: 'present', RECORDER_INJECTION: 'enabled' }, []));
    expect(await table['deploy-app-default']([])).toBe(0);
    expect(changes()).toContain(`-n ${NAMESPACE} rollout restart deployment -l app.kubernetes.io/part-of=airport-mesh`);
    // the plain overlay is ready to serve when Envoy Gateway has programmed its Gateway
    expect(calls().map((x) => x.args.join(' '))).toContain(
      `-n ${NAMESPACE} wait gateways.gateway.networking.k8s.io/airport --for=condition=Programmed --timeout=300s`,
    );
    writeFileSync(log, '');
    expect(await table['deploy-istio-default']([])).toBe(0);
    expect(changes().some((x) => x.includes('rollout restart'))).toBe(false);
  }, 180_000);

  it('every deploy command applies its own render, pruned, in one namespace (so one ApplySet covers it all)', async () => {
    const table = commands(io({ RECORDER_SECRET: 'present' }, []));
    for (const [command, d] of Object.entries(DEPLOYS)) {
      if (d.chaos) continue; // the chaos steps are tested below
      writeFileSync(log, '');
      expect(await table[command]([])).toBe(0);
      const last = calls()
        .filter((x) => x.args.includes('--prune'))
        .at(-1);
      expect(last?.args).toEqual(['apply', '-n', NAMESPACE, '--prune', `--applyset=${APPLYSET}`, '-f', '-']);
      const objects = applied(last?.stdin ?? '{"items":[]}');
      expect(objects.map(key).sort()).toEqual(
        (await rendered(d.target))
          .filter((o) => o.kind !== 'Namespace')
          .map(key)
          .sort(),
      );
      expect(objects.filter((o) => o.metadata?.namespace !== NAMESPACE).map(key)).toEqual([]);
    }
  }, 600_000);

  it("scale_v2_x3 and all-reset run the seed's kubectl commands (and wait)", async () => {
    const table = commands(io({}, []));
    await table.scale_v2_x3([]);
    await table['all-reset']([]);
    expect(calls().map((x) => x.args.join(' '))).toEqual([
      '-n airport-mesh scale deployment cpanel-v2 --replicas=3',
      '-n airport-mesh rollout status deployment/cpanel-v2 --timeout=300s',
      '-n airport-mesh get canaries.flagger.app -o name',
      'delete namespace airport-mesh --ignore-not-found --wait=true --timeout=300s',
    ]);
  });
});

describe('scenarios that make a replica sick through the chaos API', () => {
  it('timeout applies the scenario, then delays every camera-agent-1 and cpanel-v1 pod by 3 s through a port-forward', async () => {
    const seen: Seen[] = [];
    const a = await server(() => [200, '{}'], seen);
    const b = await server(() => [200, '{}'], seen);
    try {
      const out: string[] = [];
      const env = {
        RECORDER_SECRET: 'present',
        RECORDER_PODS: JSON.stringify({
          'app=camera-agent-1': 'camera-agent-1-7d9f',
          'app=cpanel,version=v1': 'cpanel-v1-a cpanel-v1-b',
        }),
        RECORDER_FORWARD: JSON.stringify({
          'camera-agent-1-7d9f': a.port,
          'cpanel-v1-a': b.port,
          'cpanel-v1-b': a.port,
        }),
      };
      expect(await commands(io(env, out)).timeout([])).toBe(0);
      const c = calls().map((x) => x.args.join(' '));
      // the chaos comes after the render is applied and rolled out
      const applyAt = c.indexOf(`apply -n ${NAMESPACE} --prune --applyset=${APPLYSET} -f -`);
      expect(applyAt).toBeGreaterThan(0);
      expect(c.findIndex((x) => x.includes('port-forward'))).toBeGreaterThan(applyAt);
      expect(c.findIndex((x) => x.includes('port-forward'))).toBeGreaterThan(
        c.lastIndexOf('-n airport-mesh rollout status deployment/cpanel-v2 --timeout=300s'),
      );
      expect(c.filter((x) => x.includes('port-forward'))).toEqual([
        '-n airport-mesh port-forward pod/camera-agent-1-7d9f :8080',
        '-n airport-mesh port-forward pod/cpanel-v1-a :8080',
        '-n airport-mesh port-forward pod/cpanel-v1-b :8080',
      ]);
      expect(seen).toHaveLength(3);
      for (const s of seen) {
        expect(s).toMatchObject({ method: 'PUT', url: '/chaos', auth: 'Bearer t0ken' });
        expect(JSON.parse(s.body)).toEqual({ errorRate: 0, errorStatus: 503, delayMs: 3000, seed: 1 });
      }
      expect(out).toContain('chaos on cpanel-v1-b: {"errorRate":0,"errorStatus":503,"delayMs":3000,"seed":1}');
    } finally {
      a.server.close();
      b.server.close();
    }
  }, 120_000);

  it('retries makes section-1 and one collector replica fail 30%, and chaos-reset clears every pod', async () => {
    const seen: Seen[] = [];
    const a = await server(() => [200, '{}'], seen);
    try {
      const env = {
        RECORDER_SECRET: 'present',
        RECORDER_PODS: JSON.stringify({
          'app=section-1': 'section-1-6b7c9-x2k4p',
          'app=collector': 'collector-6f8d7-abcde collector-6f8d7-fghij',
        }),
        RECORDER_FORWARD: JSON.stringify({
          'section-1-6b7c9-x2k4p': a.port,
          'collector-6f8d7-abcde': a.port,
          'collector-6f8d7-fghij': a.port,
        }),
      };
      expect(await commands(io(env, [])).retries([])).toBe(0);
      expect(seen.map((s) => `${s.method} ${JSON.parse(s.body).errorRate}`)).toEqual(['PUT 0.3', 'PUT 0.3']);
      expect(
        calls()
          .filter((x) => x.args.includes('port-forward'))
          .map((x) => x.args[3]),
      ).toEqual(['pod/section-1-6b7c9-x2k4p', 'pod/collector-6f8d7-abcde']);
      const pods = JSON.stringify({
        'app.kubernetes.io/part-of=airport-mesh': 'section-1-6b7c9-x2k4p collector-6f8d7-abcde',
      });
      await commands(io({ ...env, RECORDER_PODS: pods }, []))['chaos-reset']([]);
      expect(seen.slice(2).map((s) => `${s.method} ${s.url} ${s.auth}`)).toEqual([
        'DELETE /chaos Bearer t0ken',
        'DELETE /chaos Bearer t0ken',
      ]);
    } finally {
      a.server.close();
    }
  }, 120_000);
});

describe('camera control through the ingress (an operator route)', () => {
  it('start-cameras and stop-cameras send the operator token of Secret airport-operator, and never print it', async () => {
    const seen: Seen[] = [];
    const g = await server(() => [202, '{"ok":true}'], seen);
    try {
      const out: string[] = [];
      const token = 'operator-t0ken-0123456789abcdef';
      const table = commands(io({ INGRESS: `127.0.0.1:${g.port}`, RECORDER_OPERATOR: token }, out));
      expect(await table['start-cameras']([])).toBe(0);
      expect(await table['stop-cameras']([])).toBe(0);
      expect(seen.map((s) => `${s.method} ${s.url} ${s.auth}`)).toEqual([
        ...[1, 2, 3].map((id) => `POST /cameras/${id}/start Bearer ${token}`),
        ...[1, 2, 3].map((id) => `POST /cameras/${id}/stop Bearer ${token}`),
      ]);
      expect(out.join('\n')).not.toContain(token);
      expect(calls().map((x) => x.args.join(' '))).toContain(
        `-n ${NAMESPACE} get secret airport-operator -o jsonpath={.data.OPERATOR_TOKEN}`,
      );
    } finally {
      g.server.close();
    }
  });

  it('without the Secret, says how to make it and sends nothing', async () => {
    const seen: Seen[] = [];
    const g = await server(() => [202, '{}'], seen);
    try {
      await expect(commands(io({ INGRESS: `127.0.0.1:${g.port}` }, []))['start-cameras']([])).rejects.toThrow(
        /no OPERATOR_TOKEN in Secret airport-mesh\/airport-operator.*make secrets/,
      );
      expect(seen).toEqual([]);
    } finally {
      g.server.close();
    }
  });
});

describe('health and load through the ingress', () => {
  it("health prints the seed's curl lines and answers", async () => {
    const answers: Record<string, string> = {
      '/status': 'CPanel v1 : Online',
      '/cameras/1/state':
        '{"streaming":false,"cycle":88,"fps":0,"section":"1","destination":"http://collector:8080","event":"exit"}',
      '/cameras/2/state':
        '{"streaming":false,"cycle":92,"fps":0,"section":"1","destination":"http://collector:8080","event":"entry"}',
      '/cameras/3/state':
        '{"streaming":false,"cycle":3,"fps":0,"section":"2","destination":"http://collector:8080","event":"entry"}',
      '/collector/status': 'Collector v1 : Online',
      '/alerts/status': 'Alerts v1 : Online',
      '/sections/1/status': 'Section 1 v1 : Online',
      '/sections/2/status': 'Section 2 v1 : Online',
    };
    const g = await server((req) => [200, answers[req.url ?? ''] ?? 'no']);
    try {
      const out: string[] = [];
      const base = `http://127.0.0.1:${g.port}`;
      expect(await commands(io({ INGRESS: `127.0.0.1:${g.port}` }, out)).health([])).toBe(0);
      expect(out.slice(0, 4)).toEqual([
        `curl ${base}/status`,
        'CPanel v1 : Online',
        `curl ${base}/cameras/1/state`,
        answers['/cameras/1/state'],
      ]);
      expect(out).toContain('Collector v1 : Online');
      expect(out).toContain('Section 1 v1 : Online');
      expect(out.filter((l) => l.startsWith('curl '))).toHaveLength(8);
      expect(calls()).toEqual([]); // health never touches the cluster API
    } finally {
      g.server.close();
    }
  });

  it('load prints every answer and the measured split', async () => {
    let n = 0;
    const g = await server(() => [200, n++ % 2 ? 'CPanel v2 : Online' : 'CPanel v1 : Online']);
    try {
      const out: string[] = [];
      expect(
        await commands(io({ INGRESS: `127.0.0.1:${g.port}`, LOAD_COUNT: '20', LOAD_INTERVAL_MS: '0' }, out)).load([]),
      ).toBe(0);
      expect(out.filter((l) => l.startsWith('CPanel'))).toHaveLength(20);
      expect(out).toContain('   10 ( 50%)  CPanel v1 : Online');
      expect(out).toContain('   10 ( 50%)  CPanel v2 : Online');
      expect(out.at(-1)).toBe('-- status codes: 200: 20');
    } finally {
      g.server.close();
    }
  });

  it("without INGRESS, asks the gateway of the deployed overlay: Istio's when the namespace has injection, Envoy Gateway's otherwise", async () => {
    const istio = {
      spec: {
        ports: [
          { name: 'status-port', port: 15021, nodePort: 30001 },
          { name: 'http2', port: 80, nodePort: 31221 },
        ],
      },
      status: { loadBalancer: {} },
    };
    const envoy = {
      items: [
        {
          metadata: { name: 'envoy-airport-mesh-airport-1a2b' },
          spec: { ports: [{ name: 'http-80', port: 80 }] },
          status: { loadBalancer: { ingress: [{ ip: '172.18.0.200' }] } },
        },
      ],
    };
    const services = JSON.stringify({
      'istio-ingressgateway': JSON.stringify(istio),
      [GATEWAY_API.selector]: JSON.stringify(envoy),
    });
    const base: NodeJS.ProcessEnv = {
      ...process.env,
      KUBECTL: recorder,
      RECORDER_LOG: log,
      RECORDER_SERVICES: services,
    };
    delete base.INGRESS;
    const at = (env: NodeJS.ProcessEnv) => ingressAddress({ out: () => {}, err: () => {}, env, root });
    expect(await at({ ...base, RECORDER_INJECTION: 'enabled' })).toBe('192.0.2.10:31221');
    // the plain overlay deployed while Istio is installed: not the Istio gateway, which has no routes for it
    expect(await at({ ...base, RECORDER_INJECTION: '' })).toBe('172.18.0.200:80');
    expect(calls().map((x) => x.args.join(' '))).toContain(
      `-n envoy-gateway-system get service -l ${GATEWAY_API.selector} -o json`,
    );
  });
});

describe('the Makefile', () => {
  it("has the seed's targets, and every target it lists is a command of the CLI", () => {
    const makefile = readFileSync(join(root, 'Makefile'), 'utf8').replace(/\\\n/g, ' ');
    const list = (name: string) => (new RegExp(`^${name} := (.*)$`, 'm').exec(makefile)?.[1] ?? '').trim().split(/\s+/);
    const seed = list('SEED_TARGETS');
    expect(seed).toEqual([
      'deploy-app-default',
      'deploy-istio-default',
      'health',
      'start-cameras',
      'load',
      'cpanel-50-50',
      'cpanel-v2',
      'scale_v2_x3',
      'load_balancing',
      'random',
      'fault-injection-500',
      'fault-injection-delay10',
      'timeout',
      'health-timeout',
      'retries',
      'health-retries',
      'circuit-breaker',
      'all-reset',
    ]);
    const table = commands(io({}, []));
    for (const target of [...seed, ...list('MORE_TARGETS')]) expect(Object.keys(table)).toContain(target);
    expect(Object.keys(table).filter((c) => ![...seed, ...list('MORE_TARGETS')].includes(c))).toEqual([]);
  });
});
