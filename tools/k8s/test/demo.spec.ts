// The demo commands against recorded kubectl invocations: KUBECTL points at a recorder (a real
// executable standing in for the cluster) that logs argv and stdin and answers like a cluster would;
// the ingress and the pods' port-forwards are local HTTP servers. What is asserted is what a user
// would check: which manifests are applied, in which order, and what the commands print.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands, ingressAddress, type Io } from '../src/demo.js';
import { repoRoot } from '../src/paths.js';

const root = repoRoot();
let dir: string;
let log: string;
let recorder: string;

const RECORDER = `#!${process.execPath}
const fs = require('fs');
const args = process.argv.slice(2);
let stdin = '';
try { stdin = fs.readFileSync(0, 'utf8'); } catch {}
fs.appendFileSync(process.env.RECORDER_LOG, JSON.stringify({ args, stdin }) + '\\n');
const has = (...xs) => xs.every((x) => args.includes(x));
if (has('get', 'secret', 'chaos-admin', '-o', 'name')) {
  if (process.env.RECORDER_SECRET === 'present') { console.log('secret/chaos-admin'); process.exit(0); }
  console.error('Error from server (NotFound): secrets "chaos-admin" not found'); process.exit(1);
}
if (has('get', 'secret', 'chaos-admin')) { process.stdout.write(Buffer.from('t0ken').toString('base64')); process.exit(0); }
if (has('get', 'pods')) { const sel = args[args.indexOf('-l') + 1]; process.stdout.write(JSON.parse(process.env.RECORDER_PODS || '{}')[sel] || ''); process.exit(0); }
if (has('get', 'service')) {
  if (args.includes('istio-ingressgateway')) { console.log(process.env.RECORDER_GATEWAY_SVC); process.exit(0); }
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
    .map((l) => JSON.parse(l) as { args: string[]; stdin: string });

function io(env: Record<string, string>, out: string[]): Io {
  return {
    out: (l) => out.push(l),
    err: (l) => out.push(`ERR ${l}`),
    env: { ...process.env, KUBECTL: recorder, RECORDER_LOG: log, ...env },
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

describe('deploy', () => {
  it('deploy-istio-default creates the namespace with a random chaos token first, then applies the default scenario', async () => {
    const out: string[] = [];
    expect(await commands(io({}, out))['deploy-istio-default']([])).toBe(0);
    const c = calls();
    expect(c.map((x) => x.args.join(' '))).toEqual([
      '-n airport-mesh get secret chaos-admin -o name',
      'apply -f -',
      `apply -k ${join(root, 'deploy/scenarios/default')}`,
    ]);
    const list = JSON.parse(c[1].stdin) as {
      items: { kind: string; metadata: { name: string }; stringData?: { token: string } }[];
    };
    expect(list.items.map((i) => `${i.kind}/${i.metadata.name}`)).toEqual([
      'Namespace/airport-mesh',
      'Secret/chaos-admin',
    ]);
    const token = list.items[1].stringData?.token ?? '';
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(out.join('\n')).not.toContain(token);
  });

  it('keeps an existing chaos token, and deploy-app-default applies the plain overlay', async () => {
    const out: string[] = [];
    expect(await commands(io({ RECORDER_SECRET: 'present' }, out))['deploy-app-default']([])).toBe(0);
    expect(calls().map((x) => x.args.join(' '))).toEqual([
      '-n airport-mesh get secret chaos-admin -o name',
      `apply -k ${join(root, 'deploy/overlays/plain')}`,
    ]);
  });

  it('every scenario command applies its own scenario directory', async () => {
    const table = commands(io({ RECORDER_SECRET: 'present' }, []));
    for (const [command, scenario] of [
      ['cpanel-50-50', 'cpanel-50-50'],
      ['cpanel-v2', 'cpanel-v2'],
      ['load_balancing', 'scale-v2-x3-round-robin'],
      ['random', 'random'],
      ['fault-injection-500', 'fault-abort'],
      ['fault-injection-delay10', 'fault-delay'],
      ['circuit-breaker', 'circuit-breaker'],
      ['mirror-v2', 'mirror-v2'],
      ['canary-header', 'canary-header'],
      ['mtls-strict', 'mtls-strict'],
      ['authz', 'authz'],
      ['egress', 'egress'],
      ['rate-limit', 'rate-limit'],
      ['least-request', 'least-request'],
    ]) {
      writeFileSync(log, '');
      expect(await table[command]([])).toBe(0);
      expect(calls().at(-1)?.args).toEqual(['apply', '-k', join(root, 'deploy/scenarios', scenario)]);
    }
  });

  it("scale_v2_x3 and all-reset run the seed's kubectl commands", async () => {
    const table = commands(io({}, []));
    await table.scale_v2_x3([]);
    await table['all-reset']([]);
    expect(calls().map((x) => x.args.join(' '))).toEqual([
      '-n airport-mesh scale deployment cpanel-v2 --replicas=3',
      'delete namespace airport-mesh airport-legacy --ignore-not-found',
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
      expect(c[1]).toBe(`apply -k ${join(root, 'deploy/scenarios/timeout')}`);
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
  }, 30_000);

  it('retries makes section-1 and one collector replica fail 30%, and chaos-reset clears every pod', async () => {
    const seen: Seen[] = [];
    const a = await server(() => [200, '{}'], seen);
    try {
      const env = {
        RECORDER_SECRET: 'present',
        RECORDER_PODS: JSON.stringify({
          'app=section-1': 's1',
          'app=collector': 'c1 c2',
          'app.kubernetes.io/part-of=airport-mesh': 's1 c1',
        }),
        RECORDER_FORWARD: JSON.stringify({ s1: a.port, c1: a.port, c2: a.port }),
      };
      const table = commands(io(env, []));
      expect(await table.retries([])).toBe(0);
      expect(seen.map((s) => `${s.method} ${JSON.parse(s.body).errorRate}`)).toEqual(['PUT 0.3', 'PUT 0.3']);
      expect(
        calls()
          .filter((x) => x.args.includes('port-forward'))
          .map((x) => x.args[3]),
      ).toEqual(['pod/s1', 'pod/c1']);
      await table['chaos-reset']([]);
      expect(seen.slice(2).map((s) => `${s.method} ${s.url} ${s.auth}`)).toEqual([
        'DELETE /chaos Bearer t0ken',
        'DELETE /chaos Bearer t0ken',
      ]);
    } finally {
      a.server.close();
    }
  }, 30_000);
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

  it("without INGRESS, finds the gateway's NodePort on the first node (the LoadBalancer is pending)", async () => {
    const svc = {
      spec: {
        ports: [
          { name: 'status-port', port: 15021, nodePort: 30001 },
          { name: 'http2', port: 80, nodePort: 31221 },
        ],
      },
      status: { loadBalancer: {} },
    };
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KUBECTL: recorder,
      RECORDER_LOG: log,
      RECORDER_GATEWAY_SVC: JSON.stringify(svc),
    };
    delete env.INGRESS;
    expect(await ingressAddress({ out: () => {}, err: () => {}, env, root })).toBe('192.0.2.10:31221');
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
