// The demo of the seeds (000's Makefile): deploy, health, load, and every scenario, against the
// current kubectl context and an ingress address. Every cluster call goes through `kubectl` (KUBECTL
// overrides which one), every request to the system through the ingress address ($INGRESS, host:port).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { kubectlPath } from './kubectl.js';
import { repoRoot } from './paths.js';

export const NAMESPACE = 'airport-mesh';
export const LEGACY_NAMESPACE = 'airport-legacy';
export const CAMERA_IDS = [1, 2, 3];
export const SECTION_IDS = [1, 2];

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  root: string;
}

export const defaultIo = (): Io => ({
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  env: process.env,
  root: repoRoot(),
});

export class DemoError extends Error {}

// ------------------------------------------------------------------------------------------ kubectl

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(io: Io, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectlPath(io.env),
      args,
      { env: io.env, cwd: io.root, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof (error as { code?: unknown }).code !== 'number') return reject(error);
        resolve({
          code: error ? Number((error as { code?: number }).code) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

async function kubectlOk(io: Io, args: string[], input?: string): Promise<string> {
  const r = await kubectl(io, args, input);
  if (r.code !== 0) throw new DemoError(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  if (r.stdout.trim()) io.out(r.stdout.trimEnd());
  return r.stdout;
}

async function apply(io: Io, dir: string): Promise<void> {
  io.out(`kubectl apply -k ${dir}`);
  await kubectlOk(io, ['apply', '-k', join(io.root, dir)]);
}

/**
 * The chaos API needs CHAOS_ADMIN_TOKEN in a Secret that git never holds: create it with a random
 * token the first time (with the namespace, so that it exists before any pod starts).
 */
export async function ensureChaosSecret(io: Io): Promise<void> {
  const r = await kubectl(io, ['-n', NAMESPACE, 'get', 'secret', 'chaos-admin', '-o', 'name']);
  if (r.code === 0) return;
  const token = randomBytes(16).toString('hex');
  const manifest = JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'chaos-admin', namespace: NAMESPACE },
        type: 'Opaque',
        stringData: { token },
      },
    ],
  });
  io.out(`creating Secret ${NAMESPACE}/chaos-admin (a random CHAOS_ADMIN_TOKEN)`);
  await kubectlOk(io, ['apply', '-f', '-'], manifest);
}

async function chaosToken(io: Io): Promise<string> {
  const out = await kubectl(io, ['-n', NAMESPACE, 'get', 'secret', 'chaos-admin', '-o', 'jsonpath={.data.token}']);
  if (out.code !== 0 || !out.stdout.trim())
    throw new DemoError('no Secret airport-mesh/chaos-admin: deploy with `make deploy-istio-default` first');
  return Buffer.from(out.stdout.trim(), 'base64').toString('utf8');
}

export async function pods(io: Io, selector: string, namespace = NAMESPACE): Promise<string[]> {
  const out = await kubectl(io, [
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    selector,
    '--field-selector=status.phase=Running',
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  if (out.code !== 0) throw new DemoError(`kubectl get pods -l ${selector}: ${out.stderr.trim()}`);
  return out.stdout.split(/\s+/).filter(Boolean).sort();
}

/** Runs `fn` against 127.0.0.1:<port> while `kubectl port-forward pod/<pod> :8080` runs (bypasses the sidecar's inbound policy). */
export async function withPortForward<T>(io: Io, pod: string, fn: (base: string) => Promise<T>): Promise<T> {
  const child = spawn(kubectlPath(io.env), ['-n', NAMESPACE, 'port-forward', `pod/${pod}`, ':8080'], {
    env: io.env,
    cwd: io.root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new DemoError(`port-forward to ${pod}: no port after 15 s`)), 15_000);
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new DemoError(`port-forward to ${pod} exited with ${code}`));
      });
    });
    return await fn(`http://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGTERM');
  }
}

// ------------------------------------------------------------------------------------------ chaos

export interface Chaos {
  errorRate: number;
  errorStatus: number;
  delayMs: number;
  seed: number;
}

export async function setChaos(io: Io, selector: string, chaos: Chaos | null, onlyFirst = false): Promise<void> {
  const token = await chaosToken(io);
  let names = await pods(io, selector);
  if (names.length === 0) throw new DemoError(`no running pod matches ${selector}`);
  if (onlyFirst) names = names.slice(0, 1);
  for (const pod of names) {
    await withPortForward(io, pod, async (base) => {
      const res = await fetch(`${base}/chaos`, {
        method: chaos ? 'PUT' : 'DELETE',
        headers: { authorization: `Bearer ${token}`, ...(chaos ? { 'content-type': 'application/json' } : {}) },
        body: chaos ? JSON.stringify(chaos) : undefined,
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok)
        throw new DemoError(`${chaos ? 'PUT' : 'DELETE'} /chaos on ${pod}: HTTP ${res.status} ${await res.text()}`);
      io.out(chaos ? `chaos on ${pod}: ${JSON.stringify(chaos)}` : `chaos reset on ${pod}`);
    });
  }
}

const CHAOS_SELECTORS = ['app.kubernetes.io/part-of=airport-mesh'];

// ------------------------------------------------------------------------------------------ ingress

/** $INGRESS, else the Istio gateway's or ingress-nginx's LoadBalancer address, else their NodePort on the first node. */
export async function ingressAddress(io: Io): Promise<string> {
  if (io.env.INGRESS) return io.env.INGRESS.replace(/^https?:\/\//, '').replace(/\/$/, '');
  for (const [ns, svc] of [
    ['istio-system', 'istio-ingressgateway'],
    ['ingress-nginx', 'ingress-nginx-controller'],
  ]) {
    const r = await kubectl(io, ['-n', ns, 'get', 'service', svc, '-o', 'json']);
    if (r.code !== 0) continue;
    const s = JSON.parse(r.stdout) as {
      spec: { ports: { name?: string; port: number; nodePort?: number }[] };
      status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
    };
    const http = s.spec.ports.find((p) => p.name === 'http2' || p.name === 'http') ?? s.spec.ports[0];
    const lb = s.status?.loadBalancer?.ingress?.[0];
    if (lb?.ip || lb?.hostname) return `${lb.ip ?? lb.hostname}:${http.port}`;
    if (http.nodePort) {
      const nodes = await kubectl(io, [
        'get',
        'nodes',
        '-o',
        'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}',
      ]);
      if (nodes.code === 0 && nodes.stdout.trim()) return `${nodes.stdout.trim()}:${http.nodePort}`;
    }
  }
  throw new DemoError(
    'no ingress address: set INGRESS=host:port (minikube: `minikube service -n istio-system istio-ingressgateway --url`; ' +
      'any cluster: `kubectl -n istio-system port-forward svc/istio-ingressgateway 8080:80` and INGRESS=127.0.0.1:8080), see docs/kubernetes.md',
  );
}

interface Answer {
  status: number;
  body: string;
  ms: number;
}

async function get(url: string, init: RequestInit = {}, timeoutMs = 30_000): Promise<Answer> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: (await res.text()).trim(), ms: performance.now() - t0 };
  } catch (e) {
    return {
      status: 0,
      body: `(no answer: ${(e as Error).cause ?? (e as Error).message})`,
      ms: performance.now() - t0,
    };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Seed 000 `make health`: every status through the ingress, printed as curl would. */
export async function health(io: Io): Promise<number> {
  const ingress = await ingressAddress(io);
  const paths = [
    '/status',
    ...CAMERA_IDS.map((id) => `/cameras/${id}/state`),
    '/collector/status',
    '/alerts/status',
    ...SECTION_IDS.map((id) => `/sections/${id}/status`),
  ];
  let failed = 0;
  for (const path of paths) {
    const url = `http://${ingress}${path}`;
    io.out(`curl ${url}`);
    const a = await get(url);
    io.out(a.body);
    if (a.status !== 200) failed++;
  }
  return failed === 0 ? 0 : 1;
}

export interface LoadOptions {
  path: string;
  count: number;
  intervalMs: number;
  concurrency: number;
  headers?: Record<string, string>;
  quiet?: boolean;
  method?: string;
}

/** Seed 000 `make load`: requests through the ingress; prints each answer, then the split of answers and status codes. */
export async function load(io: Io, opts: LoadOptions): Promise<Answer[]> {
  const ingress = await ingressAddress(io);
  const url = `http://${ingress}${opts.path}`;
  if (!opts.quiet)
    io.out(
      `${opts.count} × ${opts.method ?? 'GET'} ${url}${opts.concurrency > 1 ? `, ${opts.concurrency} at a time` : `, every ${opts.intervalMs} ms`}`,
    );
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < opts.count) {
      next++;
      const a = await get(url, { method: opts.method ?? 'GET', headers: opts.headers });
      answers.push(a);
      if (!opts.quiet) io.out(a.body.split('\n')[0]);
      if (opts.intervalMs) await sleep(opts.intervalMs);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  return answers;
}

export function summarize(answers: Answer[]): string[] {
  const byBody = new Map<string, number>();
  const byStatus = new Map<number, number>();
  for (const a of answers) {
    const key = a.body.split('\n')[0].slice(0, 80);
    byBody.set(key, (byBody.get(key) ?? 0) + 1);
    byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
  }
  const pct = (n: number) => `${((100 * n) / answers.length).toFixed(0)}%`;
  return [
    `-- ${answers.length} requests`,
    ...[...byBody]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${String(n).padStart(5)} (${pct(n).padStart(4)})  ${k}`),
    `-- status codes: ${[...byStatus]
      .sort((a, b) => a[0] - b[0])
      .map(([s, n]) => `${s || 'none'}: ${n}`)
      .join(', ')}`,
  ];
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

// ------------------------------------------------------------------------------------------ scenarios

const scenarioDir = (name: string) => `deploy/scenarios/${name}`;

export async function deployScenario(io: Io, name: string): Promise<void> {
  await ensureChaosSecret(io);
  await apply(io, scenarioDir(name));
}

/** The seeds' make targets and this project's additions, by name. Each returns an exit code. */
export function commands(io: Io): Record<string, (args: string[]) => Promise<number>> {
  const ok = async (f: () => Promise<unknown>) => {
    await f();
    return 0;
  };
  const loadAndSummarize = async (o: LoadOptions) => {
    const answers = await load(io, o);
    for (const l of summarize(answers)) io.out(l);
    return answers;
  };
  const scenario = (name: string, after?: () => Promise<void>) => () =>
    ok(async () => {
      await deployScenario(io, name);
      if (after) await after();
    });
  return {
    'deploy-app-default': () =>
      ok(async () => {
        await ensureChaosSecret(io);
        await apply(io, 'deploy/overlays/plain');
      }),
    'deploy-istio-default': scenario('default'),
    health: () => health(io),
    'start-cameras': async () => {
      const ingress = await ingressAddress(io);
      let failed = 0;
      for (const id of CAMERA_IDS) {
        const url = `http://${ingress}/cameras/${id}/start`;
        io.out(`curl -X POST ${url}`);
        const a = await get(url, { method: 'POST' });
        io.out(a.body);
        if (a.status >= 300) failed++;
      }
      return failed ? 1 : 0;
    },
    'stop-cameras': async () => {
      const ingress = await ingressAddress(io);
      for (const id of CAMERA_IDS) io.out((await get(`http://${ingress}/cameras/${id}/stop`, { method: 'POST' })).body);
      return 0;
    },
    // seed 000: 100 × /status every 200 ms; LOAD_COUNT, LOAD_INTERVAL_MS and LOAD_PATH change that
    load: () =>
      ok(() =>
        loadAndSummarize({
          path: io.env.LOAD_PATH ?? '/status',
          count: Number(io.env.LOAD_COUNT ?? 100),
          intervalMs: Number(io.env.LOAD_INTERVAL_MS ?? 200),
          concurrency: 1,
        }),
      ),
    'cpanel-50-50': scenario('cpanel-50-50'),
    'cpanel-v2': scenario('cpanel-v2'),
    'canary-header': scenario('canary-header'),
    'load-canary-header': async () => {
      const withHeader = await load(io, {
        path: '/status',
        count: 50,
        intervalMs: 50,
        concurrency: 1,
        headers: { 'x-test-group': 'true' },
        quiet: true,
      });
      const without = await load(io, { path: '/status', count: 50, intervalMs: 50, concurrency: 1, quiet: true });
      const v2 = withHeader.filter((a) => a.body.startsWith('CPanel v2')).length;
      const v1 = without.filter((a) => a.body.startsWith('CPanel v1')).length;
      io.out(`with x-test-group: true → CPanel v2 ${v2}/${withHeader.length}`);
      io.out(`without the header    → CPanel v1 ${v1}/${without.length}`);
      return v2 === withHeader.length && v1 === without.length ? 0 : 1;
    },
    'mirror-v2': scenario('mirror-v2'),
    'mirror-counts': () => ok(() => requestCounts(io, 'app=cpanel')),
    scale_v2_x3: () =>
      ok(async () => {
        io.out('kubectl scale deployment cpanel-v2 --replicas=3');
        await kubectlOk(io, ['-n', NAMESPACE, 'scale', 'deployment', 'cpanel-v2', '--replicas=3']);
      }),
    load_balancing: scenario('scale-v2-x3-round-robin'),
    random: scenario('random'),
    'least-request': scenario('least-request'),
    'slow-replica': () =>
      ok(() => setChaos(io, 'app=cpanel,version=v2', { errorRate: 0, errorStatus: 503, delayMs: 300, seed: 1 }, true)),
    'lb-spread': () => ok(() => requestCounts(io, 'app=cpanel')),
    'fault-injection-500': scenario('fault-abort'),
    'health-alerts': () =>
      ok(() => loadAndSummarize({ path: '/alerts/status', count: 20, intervalMs: 200, concurrency: 1 })),
    'fault-injection-delay10': scenario('fault-delay'),
    'load-latency': async () => {
      const answers = await load(io, { path: '/status', count: 20, intervalMs: 0, concurrency: 4, quiet: true });
      const ms = answers.map((a) => a.ms);
      io.out(
        `p50 ${(percentile(ms, 50) / 1000).toFixed(2)} s, p90 ${(percentile(ms, 90) / 1000).toFixed(2)} s, max ${(Math.max(...ms) / 1000).toFixed(2)} s over ${ms.length} requests`,
      );
      return 0;
    },
    timeout: scenario('timeout', async () => {
      for (const sel of ['app=camera-agent-1', 'app=cpanel,version=v1'])
        await setChaos(io, sel, { errorRate: 0, errorStatus: 503, delayMs: 3000, seed: 1 });
    }),
    'health-timeout': () =>
      ok(() => loadAndSummarize({ path: '/cameras/1/state', count: 10, intervalMs: 200, concurrency: 1 })),
    retries: scenario('retries', async () => {
      await setChaos(io, 'app=section-1', { errorRate: 0.3, errorStatus: 503, delayMs: 0, seed: 1 });
      await setChaos(io, 'app=collector', { errorRate: 0.3, errorStatus: 503, delayMs: 0, seed: 1 }, true);
    }),
    'health-retries': () =>
      ok(() => loadAndSummarize({ path: '/sections/1/status', count: 10, intervalMs: 200, concurrency: 1 })),
    'circuit-breaker': scenario('circuit-breaker'),
    'load-concurrent': () =>
      ok(() => loadAndSummarize({ path: '/status', count: 200, intervalMs: 0, concurrency: 10, quiet: true })),
    'outlier-detection': scenario('outlier-detection', async () => {
      io.out('kubectl rollout status deployment/cpanel-v1');
      await kubectlOk(io, ['-n', NAMESPACE, 'rollout', 'status', 'deployment/cpanel-v1', '--timeout=180s']);
      await setChaos(io, 'app=cpanel,version=v1', { errorRate: 1, errorStatus: 503, delayMs: 0, seed: 1 }, true);
    }),
    'mtls-strict': scenario('mtls-strict'),
    'mtls-check': async () => {
      const url = `http://section-1.${NAMESPACE}:8080/status`;
      io.out(`from ${LEGACY_NAMESPACE}/legacy-client (no sidecar, plaintext): curl ${url}`);
      const legacy = await kubectl(io, [
        '-n',
        LEGACY_NAMESPACE,
        'exec',
        'deploy/legacy-client',
        '--',
        'curl',
        '-sS',
        '-m',
        '5',
        url,
      ]);
      io.out(legacy.code === 0 ? legacy.stdout.trim() : `refused (curl exit ${legacy.code}): ${legacy.stderr.trim()}`);
      io.out(`from ${NAMESPACE}/debug-client (sidecar, mTLS): curl ${url}`);
      const meshed = await kubectl(io, [
        '-n',
        NAMESPACE,
        'exec',
        'deploy/debug-client',
        '-c',
        'curl',
        '--',
        'curl',
        '-sS',
        '-m',
        '5',
        url,
      ]);
      io.out(meshed.code === 0 ? meshed.stdout.trim() : `failed (${meshed.code}): ${meshed.stderr.trim()}`);
      return legacy.code !== 0 && meshed.code === 0 ? 0 : 1;
    },
    authz: scenario('authz'),
    'authz-check': async () => {
      const exec = (args: string[]) =>
        kubectl(io, [
          '-n',
          NAMESPACE,
          'exec',
          'deploy/debug-client',
          '-c',
          'curl',
          '--',
          'curl',
          '-sS',
          '-m',
          '5',
          '-w',
          ' HTTP %{http_code}',
          ...args,
        ]);
      io.out('debug-client: GET http://section-1:8080/status');
      const read = await exec(['http://section-1:8080/status']);
      io.out(read.stdout.trim());
      io.out('debug-client: POST http://section-1:8080/statistics');
      const write = await exec([
        '-X',
        'POST',
        '-H',
        'content-type: application/json',
        '-d',
        '{}',
        'http://section-1:8080/statistics',
      ]);
      io.out(write.stdout.trim());
      return read.stdout.includes('HTTP 200') && write.stdout.includes('HTTP 403') ? 0 : 1;
    },
    egress: scenario('egress'),
    'egress-check': () =>
      ok(async () => {
        const r = await kubectl(io, [
          '-n',
          NAMESPACE,
          'exec',
          'deploy/alerts',
          '-c',
          'istio-proxy',
          '--',
          'pilot-agent',
          'request',
          'GET',
          'stats',
        ]);
        io.out(
          r.stdout
            .split('\n')
            .filter((l) => /httpbin\.org|BlackHoleCluster/.test(l) && /upstream_cx_total|upstream_rq_total/.test(l))
            .join('\n') || r.stderr.trim(),
        );
      }),
    'rate-limit': scenario('rate-limit'),
    'load-burst': () =>
      ok(() =>
        loadAndSummarize({ path: '/collector/status', count: 200, intervalMs: 0, concurrency: 20, quiet: true }),
      ),
    'flagger-canary': () =>
      ok(async () => {
        io.out('removing the fixed cpanel versions and their routing: Flagger owns cpanel from now on');
        await kubectlOk(io, ['-n', NAMESPACE, 'delete', 'deployment', 'cpanel-v1', 'cpanel-v2', '--ignore-not-found']);
        await kubectlOk(io, ['-n', NAMESPACE, 'delete', 'service', 'cpanel', '--ignore-not-found']);
        await kubectlOk(io, [
          '-n',
          NAMESPACE,
          'delete',
          'virtualservice.networking.istio.io/cpanel',
          'destinationrule.networking.istio.io/cpanel',
          '--ignore-not-found',
        ]);
        await deployScenario(io, 'flagger-canary');
      }),
    'flagger-release': () =>
      ok(async () => {
        io.out('kubectl set env deployment/cpanel VERSION=v2   (Flagger detects the new revision)');
        await kubectlOk(io, ['-n', NAMESPACE, 'set', 'env', 'deployment/cpanel', '-c', 'cpanel', 'VERSION=v2']);
      }),
    // the canary pods keep `app: cpanel` (the primary's are `app: cpanel-primary`)
    'flagger-break-canary': () =>
      ok(() => setChaos(io, 'app=cpanel', { errorRate: 0.5, errorStatus: 503, delayMs: 0, seed: 1 })),
    'blue-green': scenario('blue-green', async () => {
      io.out('kubectl rollout status deployment/cpanel-v2');
      await kubectlOk(io, ['-n', NAMESPACE, 'rollout', 'status', 'deployment/cpanel-v2', '--timeout=180s']);
      io.out('switching Service cpanel to version v2');
      await kubectlOk(io, [
        '-n',
        NAMESPACE,
        'patch',
        'service',
        'cpanel',
        '-p',
        JSON.stringify({ spec: { selector: { app: 'cpanel', version: 'v2' } } }),
      ]);
    }),
    'blue-green-back': () =>
      ok(() =>
        kubectlOk(io, [
          '-n',
          NAMESPACE,
          'patch',
          'service',
          'cpanel',
          '-p',
          JSON.stringify({ spec: { selector: { app: 'cpanel', version: 'v1' } } }),
        ]),
      ),
    'chaos-reset': () =>
      ok(async () => {
        for (const sel of CHAOS_SELECTORS) await setChaos(io, sel, null);
      }),
    'all-reset': () =>
      ok(async () => {
        io.out(`kubectl delete namespace ${NAMESPACE} ${LEGACY_NAMESPACE} --ignore-not-found`);
        await kubectlOk(io, ['delete', 'namespace', NAMESPACE, LEGACY_NAMESPACE, '--ignore-not-found']);
      }),
  };
}

/** Requests served per pod (its own /metrics, `http_server_requests_total` for GET /status). */
async function requestCounts(io: Io, selector: string): Promise<void> {
  for (const pod of await pods(io, selector)) {
    await withPortForward(io, pod, async (base) => {
      const text = (await get(`${base}/metrics`)).body;
      const total = text
        .split('\n')
        .filter((l) => l.startsWith('http_server_requests_total{') && l.includes('route="/status"'))
        .reduce((s, l) => s + Number(l.split(' ').at(-1)), 0);
      io.out(`${pod.padEnd(40)} ${total}`);
    });
  }
}
