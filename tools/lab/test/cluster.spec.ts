// The cluster target without a cluster: KUBECTL points at a recorder (a real executable standing in for
// the API server) that logs argv and stdin and answers like a cluster; the ingress and the pods reached
// through port-forwards are local HTTP servers. What is asserted is what an operator would check: which
// manifests are applied in which order, how the lab waits for rollouts, which chaos requests reach
// which pod with which token, and that the result folder is complete (or clearly not).
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlPath, render, type K8sObject } from '@airport-mesh/k8s-tools';
import { AuthService, authOptionsFrom, BaseEnv, validateEnv } from '@airport-mesh/platform';
import { REPO_ROOT } from '@airport-mesh/local-stack';
import { EXPERIMENTS, runCli, runLab, type Experiment } from '../src/index.js';

const IMAGES = ['camera-agent', 'collector', 'image-analysis', 'face-recognition', 'alerts', 'section', 'cpanel']
  .map((a) => `["docker.io/airport-mesh/${a}:0.1.0"]`)
  .join(' ');

// The recorder stands in for the API server only; `kubectl kustomize` goes through to the real kubectl
// (REAL_KUBECTL), so what the lab applies is the real render. A state folder remembers the chaos
// Secret once applied, as a cluster would.
const RECORDER = `#!${process.execPath}
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const args = process.argv.slice(2);
let stdin = '';
if (args[0] !== 'kustomize' && !args.includes('port-forward')) { try { stdin = fs.readFileSync(0, 'utf8'); } catch {} }
fs.appendFileSync(process.env.RECORDER_LOG, JSON.stringify({ args, stdin }) + '\\n');
const has = (...xs) => xs.every((x) => args.includes(x));
const state = (f) => path.join(path.dirname(process.env.RECORDER_LOG), f);
if (args[0] === 'kustomize') { process.stdout.write(execFileSync(process.env.REAL_KUBECTL, args, { maxBuffer: 1 << 26 })); process.exit(0); }
if (has('config', 'current-context')) { console.log('kind-lab'); process.exit(0); }
if (has('get', 'namespace', 'kube-system')) {
  if (process.env.RECORDER_UNREACHABLE) { console.error('Unable to connect to the server: dial tcp 127.0.0.1:6443: connect: connection refused'); process.exit(1); }
  console.log('namespace/kube-system'); process.exit(0);
}
if (has('delete', 'namespace')) { for (const f of ['token', 'auth.json']) { try { fs.unlinkSync(state(f)); } catch {} } console.log('ok'); process.exit(0); }
// the AUTH Secrets (applied server-side by the driver), kept and read back like a cluster would
const auth = () => (fs.existsSync(state('auth.json')) ? JSON.parse(fs.readFileSync(state('auth.json'), 'utf8')) : {});
if (args[0] === 'apply' && has('--server-side')) {
  const s = auth(); for (const o of JSON.parse(stdin).items) s[o.metadata.name] = o;
  fs.writeFileSync(state('auth.json'), JSON.stringify(s)); console.log('applied'); process.exit(0);
}
if (has('get', 'secret') && !has('chaos-admin')) {
  const s = auth(); const jsonpath = args.find((a) => a.startsWith('jsonpath={.data.'));
  if (jsonpath) {
    const name = args[args.indexOf('secret') + 1];
    if (!s[name]) { console.error('NotFound'); process.exit(1); }
    process.stdout.write(s[name].data[jsonpath.slice(16, -1)] || ''); process.exit(0);
  }
  const items = args.slice(args.indexOf('secret') + 1).filter((a) => s[a]).map((a) => s[a]);
  if (items.length) process.stdout.write(JSON.stringify({ kind: 'List', apiVersion: 'v1', items }));
  process.exit(0);
}
if (has('get', 'secret', 'chaos-admin', '-o', 'name')) {
  if (fs.existsSync(state('token'))) { console.log('secret/chaos-admin'); process.exit(0); }
  console.error('NotFound'); process.exit(1);
}
if (has('get', 'secret', 'chaos-admin')) { process.stdout.write(Buffer.from(fs.readFileSync(state('token'), 'utf8')).toString('base64')); process.exit(0); }
if (args[0] === 'apply' && stdin.includes('"Secret"')) { fs.writeFileSync(state('token'), JSON.parse(stdin).items[0].stringData.token); console.log('applied'); process.exit(0); }
if (has('get', 'crd') || has('get', 'apiservice')) { console.log(args[2]); process.exit(0); }
if (has('get', 'nodes')) { process.stdout.write(process.env.RECORDER_IMAGES); process.exit(0); }
if (has('get', 'canaries.flagger.app') || has('get', 'namespace')) { process.exit(0); }
if (has('rollout', 'status')) { console.log('deployment "' + args.find((a) => a.startsWith('deployment/')).slice(11) + '" successfully rolled out'); process.exit(0); }
if (has('get', 'pods')) {
  const sel = args[args.indexOf('-l') + 1];
  process.stdout.write(sel === 'app=section-1' ? 'section-1-7d9f' : sel === 'app=collector' ? 'collector-5c6d-x2k4p' : '');
  process.exit(0);
}
if (args.includes('port-forward')) {
  const pod = args.find((a) => a.startsWith('pod/'));
  console.log('Forwarding from 127.0.0.1:' + (pod.startsWith('pod/collector') ? process.env.RECORDER_COLLECTOR_PORT : process.env.RECORDER_POD_PORT) + ' -> 8080');
  setInterval(() => {}, 1000);
  process.on('SIGTERM', () => process.exit(0));
} else {
  console.log('ok');
}
`;

interface Seen {
  method: string;
  url: string;
  auth?: string;
  body: string;
}

function listen(
  handler: (method: string, url: string, body: string) => [number, string, string?],
  seen: Seen[],
): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const s = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, body });
        const [status, text, type] = handler(req.method ?? '', req.url ?? '', body);
        res.writeHead(status, { 'content-type': type ?? 'application/json' }).end(text);
      });
    });
    s.listen(0, '127.0.0.1', () => resolve({ server: s, port: (s.address() as AddressInfo).port }));
  });
}

/**
 * The ingress of a healthy system: stores frames once by id, pages them back; cpanel's `/status`
 * alternates v1 and v2 (Istio's 50/50 weights) or, like the plain overlay's Service, which selects
 * v1 only, always answers v1.
 */
function fakeIngress(
  seen: Seen[],
  stored = new Map<string, { frameId: string; cameraId: string }>(),
  versions: 'v1/v2' | 'v1' = 'v1/v2',
) {
  let statusCalls = 0;
  return listen((method, url, body) => {
    // frames reach the collector through its port-forward (POST /frames), reads go through the ingress
    if (method === 'POST' && (url === '/collector/frames' || url === '/frames')) {
      const f = JSON.parse(body) as { cameraId: string; seq: number };
      const frameId = `${f.cameraId}:${f.seq}`;
      const duplicate = stored.has(frameId);
      stored.set(frameId, { frameId, cameraId: f.cameraId });
      return [201, JSON.stringify({ frameId, section: '1', personCount: null, duplicate })];
    }
    if (method === 'GET' && url.startsWith('/sections/1/statistics')) {
      const q = new URL(url, 'http://x').searchParams;
      const all = [...stored.values()];
      const offset = Number(q.get('offset') ?? 0);
      return [
        200,
        JSON.stringify({ total: all.length, items: all.slice(offset, offset + Number(q.get('limit') ?? 50)) }),
      ];
    }
    if (method === 'GET' && url === '/status')
      return [200, `CPanel v${versions === 'v1' ? 1 : (statusCalls++ % 2) + 1} : Online`, 'text/plain'];
    return [404, '{}'];
  }, seen);
}

/** A section-1 pod behind a port-forward: its chaos API and its metrics. */
function fakePod(seen: Seen[]) {
  return listen((method, url) => {
    if (url === '/chaos')
      return [
        200,
        JSON.stringify({ active: method === 'PUT', seed: 42, injected: { considered: 7, errors: 2, delays: 0 } }),
      ];
    if (url === '/metrics') return [200, 'section_statistics_duplicates_total{service="section"} 0\n', 'text/plain'];
    return [404, '{}'];
  }, seen);
}

const fast = (name: string, patch: Partial<Experiment> = {}): Experiment => {
  const e = EXPERIMENTS.find((x) => x.name === name)!;
  return { ...e, load: { rate: 10, durationMs: 1_000, timeoutMs: 2_000 }, short: undefined, ...patch };
};

let dir: string;
let log: string;
let recorder: string;
const calls = () =>
  readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { args: string[]; stdin: string });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-cluster-'));
  log = join(dir, 'kubectl.log');
  writeFileSync(log, '');
  recorder = join(dir, 'kubectl.cjs'); // .cjs: a CommonJS script whatever the surrounding package.json says
  writeFileSync(recorder, RECORDER);
  chmodSync(recorder, 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('lab --target cluster against a recorded kubectl', () => {
  it('per mode: a fresh namespace with a chaos token, the overlay or scenario, rollout status of every deployment, chaos through port-forwards', async () => {
    const ingressSeen: Seen[] = [];
    const podSeen: Seen[] = [];
    const store = new Map<string, { frameId: string; cameraId: string }>();
    const ingress = await fakeIngress(ingressSeen, store);
    const plainIngress = await fakeIngress(ingressSeen, store, 'v1');
    const pod = await fakePod(podSeen);
    try {
      const kill = EXPERIMENTS.find((e) => e.name === 'kill-section')!;
      const experiments = [
        fast('sick-section'),
        fast('kill-section', {
          cluster: {
            ...kill.cluster!,
            fault: { kind: 'kill-pod', selector: 'app=section-1', deployment: 'section-1', atMs: 300 },
          },
        }),
        fast('canary-50-50'),
      ];
      const address = `127.0.0.1:${ingress.port}`;
      const outcome = await runLab({
        target: 'cluster',
        experiments,
        profile: 'full',
        outRoot: dir,
        name: 'cluster-run',
        cluster: {
          yes: true,
          ingress: { plain: `127.0.0.1:${plainIngress.port}`, istio: address },
          env: {
            ...process.env,
            KUBECTL: recorder,
            REAL_KUBECTL: kubectlPath({}),
            RECORDER_LOG: log,
            RECORDER_IMAGES: IMAGES,
            RECORDER_POD_PORT: String(pod.port),
            RECORDER_COLLECTOR_PORT: String(ingress.port),
          },
        },
      });
      expect(outcome.result.status).toBe('complete');
      expect(outcome.exitCode).toBe(0);
      expect(outcome.dir).toBe(join(dir, 'cluster-run'));

      // The order of what changes the cluster, and how the lab waits for it: per mode a fresh namespace,
      // then each experiment's render through the shared driver (one pruned ApplySet, a rollout wait per
      // Deployment of that render), the kill between.
      const c = calls();
      const renders = new Map<string, K8sObject[]>();
      for (const t of ['deploy/overlays/plain', 'deploy/scenarios/retries', 'deploy/scenarios/cpanel-50-50'])
        renders.set(t, await render(join(REPO_ROOT, t)));
      const steps: string[] = [];
      for (const x of c) {
        const a = x.args.join(' ');
        if (a.startsWith('delete namespace')) steps.push('fresh namespace');
        else if (a.includes('--prune')) {
          // the very objects of a render (content, not only names: retries and cpanel-50-50 differ in routes only)
          const applied = JSON.stringify((JSON.parse(x.stdin) as { items: K8sObject[] }).items);
          const match = [...renders].find(
            ([, objs]) => JSON.stringify(objs.filter((o) => o.kind !== 'Namespace')) === applied,
          );
          steps.push(`apply ${match?.[0] ?? 'an unknown render'} (--applyset=airport-mesh)`);
        } else if (a.includes('delete pod')) steps.push(a);
      }
      expect(steps).toEqual([
        'fresh namespace',
        'apply deploy/overlays/plain (--applyset=airport-mesh)', // the mode's first render, with the token
        'apply deploy/overlays/plain (--applyset=airport-mesh)',
        'apply deploy/overlays/plain (--applyset=airport-mesh)',
        '-n airport-mesh delete pod -l app=section-1 --grace-period=0 --force --wait=false',
        'apply deploy/overlays/plain (--applyset=airport-mesh)',
        'fresh namespace',
        'apply deploy/scenarios/retries (--applyset=airport-mesh)',
        'apply deploy/scenarios/retries (--applyset=airport-mesh)',
        'apply deploy/scenarios/retries (--applyset=airport-mesh)',
        '-n airport-mesh delete pod -l app=section-1 --grace-period=0 --force --wait=false',
        'apply deploy/scenarios/cpanel-50-50 (--applyset=airport-mesh)',
      ]);
      // after each apply, a rollout wait for every Deployment of that render
      const args = c.map((x) => x.args.join(' '));
      const lastApply = args.lastIndexOf('apply -n airport-mesh --prune --applyset=airport-mesh -f -');
      const waited = args
        .slice(lastApply)
        .filter((a) => a.includes('rollout status'))
        .map((a) => a.split(' ')[4]);
      expect(waited.sort()).toEqual(
        (renders.get('deploy/scenarios/cpanel-50-50') ?? [])
          .filter((o) => o.kind === 'Deployment')
          .map((o) => `deployment/${o.metadata?.name}`)
          .sort(),
      );

      // A fresh random token per mode, created after the namespace; every chaos call carries it.
      const secrets = c
        .filter((x) => x.args.join(' ') === 'apply -f -' && x.stdin.includes('"Secret"'))
        .map((x) => JSON.parse(x.stdin) as { items: { kind: string; stringData?: { token: string } }[] });
      expect(secrets.map((s) => s.items.map((i) => i.kind))).toEqual([['Secret'], ['Secret']]);
      const tokens = secrets.map((s) => s.items[0].stringData!.token);
      expect(tokens[0]).toMatch(/^[0-9a-f]{32}$/);
      expect(tokens[1]).not.toBe(tokens[0]);
      const chaos = podSeen.filter((s) => s.url === '/chaos');
      expect(chaos.map((s) => s.method)).toEqual(['PUT', 'GET', 'DELETE', 'PUT', 'GET', 'DELETE']);
      expect(chaos.slice(0, 3).every((s) => s.auth === `Bearer ${tokens[0]}`)).toBe(true);
      expect(chaos.slice(3).every((s) => s.auth === `Bearer ${tokens[1]}`)).toBe(true);
      expect(JSON.parse(chaos[0].body)).toEqual({
        errorRate: 0.3,
        errorStatus: 503,
        seed: 42,
        routes: ['/statistics'],
      });
      const forwards = c.filter((x) => x.args.includes('port-forward')).map((x) => x.args.join(' '));
      expect(new Set(forwards)).toEqual(
        new Set([
          '-n airport-mesh port-forward pod/section-1-7d9f :8080',
          '-n airport-mesh port-forward pod/collector-5c6d-x2k4p :8080',
        ]),
      );

      // Load went through the ingress; frames were counted in the store; the split was measured.
      const result = outcome.result;
      expect(result.modes).toEqual(['plain', 'istio']);
      const sick = result.runs.find((r) => r.experiment === 'sick-section' && r.mode === 'istio')!;
      expect(sick.frames).toMatchObject({
        sent: 10,
        acknowledged: 10,
        stored: 10,
        lost: 0,
        ackedNotStored: 0,
        storeDuplicates: 0,
      });
      expect(sick.parameters).toMatchObject({ manifests: 'deploy/scenarios/retries', ingress: address });
      expect(sick.dependency).toMatchObject({ requests: 7, injectedErrors: 2 });
      const canary = result.runs.find((r) => r.experiment === 'canary-50-50' && r.mode === 'istio')!;
      expect(canary.split).toEqual({ 'CPanel v1 : Online': 5, 'CPanel v2 : Online': 5 });
      expect(canary.metrics.v2Share).toBe(0.5);
      const killed = result.runs.find((r) => r.experiment === 'kill-section' && r.mode === 'plain')!;
      expect(killed.events.map((e) => e.what)).toEqual([
        'deleted pods app=section-1 (grace period 0: SIGKILL)',
        'deployment/section-1 rolled out again',
      ]);
      // frames entered at the collector's port-forward, not through the gateway
      const frames = ingressSeen.filter((s) => s.method === 'POST' && s.url === '/frames');
      expect(frames.length).toBe(40);
      // plain (AUTH=app): each frame carries a camera's token, signed with the key of Secret
      // airport-key-camera-agent, which the collector's public key verifies; istio (AUTH=mesh): none
      const keys = c.find((x) => x.args.includes('--server-side') && x.stdin.includes('airport-public-keys'));
      const publicKeys = (JSON.parse(keys!.stdin) as { items: K8sObject[] }).items.find(
        (o) => o.metadata?.name === 'airport-public-keys',
      )!.data as Record<string, string>;
      const collector = new AuthService(
        authOptionsFrom(
          validateEnv(BaseEnv, {
            AUTH_PUBLIC_KEY_CAMERA_AGENT: Buffer.from(publicKeys.AUTH_PUBLIC_KEY_CAMERA_AGENT, 'base64').toString(),
          }),
          'collector',
        ),
      );
      for (const f of frames.slice(0, 20))
        expect(await collector.checkCaller(f.auth, 'POST', '/frames', ['camera-agent'])).toMatchObject({
          result: 'ok',
        });
      expect(frames.slice(20).map((f) => f.auth)).toEqual(Array(20).fill(undefined));
      expect(ingressSeen.filter((s) => s.url === '/collector/frames').length).toBe(0);

      const report = readFileSync(join(outcome.dir, 'report.md'), 'utf8');
      expect(report.split('\n')[0]).toBe('# Resilience lab: cluster (plain vs istio)');
      expect(report).toContain('| canary-50-50 | istio | 100.0% |');
      expect(readdirSync(outcome.dir).sort()).toEqual([
        'loss.svg',
        'p99.svg',
        'percentiles-canary-50-50.svg',
        'percentiles-kill-section.svg',
        'percentiles-sick-section.svg',
        'report.html',
        'report.md',
        'result.json',
        'success-rate.svg',
        'timeline-canary-50-50.svg',
        'timeline-kill-section.svg',
        'timeline-sick-section.svg',
      ]);
    } finally {
      ingress.server.close();
      plainIngress.server.close();
      pod.server.close();
    }
  }, 120_000);

  it('an unreachable cluster: a clear message, exit 1, and only a folder marked INCOMPLETE', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(['run', '--target', 'cluster', '--yes', '--out', dir, '--name', 'dead'], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: { ...process.env, KUBECTL: recorder, RECORDER_LOG: log, RECORDER_UNREACHABLE: '1' },
    });
    expect(code).toBe(1);
    expect(err.join('')).toContain(
      'lab: run failed: cluster unreachable (context kind-lab): Unable to connect to the server',
    );
    expect(existsSync(join(dir, 'dead'))).toBe(false);
    const result = JSON.parse(readFileSync(join(dir, 'dead-INCOMPLETE', 'result.json'), 'utf8')) as {
      status: string;
      runs: unknown[];
    };
    expect(result).toMatchObject({ status: 'incomplete', runs: [] });
    expect(readFileSync(join(dir, 'dead-INCOMPLETE', 'report.md'), 'utf8').split('\n')[0]).toBe(
      '# INCOMPLETE RUN: do not use these numbers',
    );
    expect(calls().map((x) => x.args.join(' '))).toEqual([
      'config current-context',
      'get namespace kube-system -o name --request-timeout=10s',
    ]);
  });

  it('refuses to touch a cluster without --yes, and says kubectl is missing when it is', async () => {
    const err: string[] = [];
    expect(
      await runCli(['run', '--target', 'cluster', '--out', dir], {
        out: () => undefined,
        err: (t) => err.push(t),
        env: { ...process.env, KUBECTL: recorder, RECORDER_LOG: log },
      }),
    ).toBe(2);
    expect(err.join('')).toContain('run again with --yes');
    expect(calls()).toEqual([]);
    const err2: string[] = [];
    expect(
      await runCli(['run', '--target', 'cluster', '--yes', '--out', dir, '--name', 'nokubectl'], {
        out: () => undefined,
        err: (t) => err2.push(t),
        env: { ...process.env, KUBECTL: join(dir, 'no-such-kubectl') },
      }),
    ).toBe(1);
    expect(err2.join('')).toMatch(/kubectl .*ENOENT/);
    expect(existsSync(join(dir, 'nokubectl-INCOMPLETE', 'result.json'))).toBe(true);
  });
});
