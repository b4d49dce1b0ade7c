// The demo of the seeds (000's Makefile): deploy, health, load, and every scenario, against the
// current kubectl context and an ingress address. Every cluster call goes through the one cluster
// driver (src/cluster.ts, shared with the lab), every request to the system through the ingress
// address ($INGRESS, host:port).
import {
  deployTarget,
  gatewayForward,
  ingressAddress,
  kubectl,
  kubectlOk,
  NAMESPACE,
  operatorToken,
  PART_OF,
  pods,
  secretsCommand,
  setChaos,
  withPortForward,
  type Chaos,
  type Io,
} from './cluster.js';

export * from './cluster.js';
export const CAMERA_IDS = [1, 2, 3];
export const SECTION_IDS = [1, 2];
/** The seed's `make health` paths through the ingress. */
export const HEALTH_PATHS = [
  '/status',
  ...CAMERA_IDS.map((id) => `/cameras/${id}/state`),
  '/collector/status',
  '/alerts/status',
  ...SECTION_IDS.map((id) => `/sections/${id}/status`),
];

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
  let failed = 0;
  for (const path of HEALTH_PATHS) {
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

export interface ChaosStep {
  /** `kubectl get pods -l` selector, resolved against the render by test/facts.spec.ts */
  selector: string;
  chaos: Chaos;
  /** only the first pod (sorted by name): one sick replica among healthy ones */
  onlyFirst?: boolean;
}

/** Every command that deploys: the render it applies and the chaos it then injects. */
export const DEPLOYS: Record<string, { target: string; chaos?: ChaosStep[] }> = {
  'deploy-app-default': { target: 'deploy/overlays/plain' },
  'deploy-istio-default': { target: 'deploy/scenarios/default' },
  'cpanel-50-50': { target: 'deploy/scenarios/cpanel-50-50' },
  'cpanel-v2': { target: 'deploy/scenarios/cpanel-v2' },
  'canary-header': { target: 'deploy/scenarios/canary-header' },
  'mirror-v2': { target: 'deploy/scenarios/mirror-v2' },
  load_balancing: { target: 'deploy/scenarios/scale-v2-x3-round-robin' },
  random: { target: 'deploy/scenarios/random' },
  'least-request': { target: 'deploy/scenarios/least-request' },
  'fault-injection-500': { target: 'deploy/scenarios/fault-abort' },
  'fault-injection-delay10': { target: 'deploy/scenarios/fault-delay' },
  timeout: {
    target: 'deploy/scenarios/timeout',
    chaos: ['app=camera-agent-1', 'app=cpanel,version=v1'].map((selector) => ({
      selector,
      chaos: { errorRate: 0, errorStatus: 503, delayMs: 3000, seed: 1 },
    })),
  },
  retries: {
    target: 'deploy/scenarios/retries',
    chaos: [
      { selector: 'app=section-1', chaos: { errorRate: 0.3, errorStatus: 503, delayMs: 0, seed: 1 } },
      { selector: 'app=collector', chaos: { errorRate: 0.3, errorStatus: 503, delayMs: 0, seed: 1 }, onlyFirst: true },
    ],
  },
  'circuit-breaker': { target: 'deploy/scenarios/circuit-breaker' },
  'outlier-detection': {
    target: 'deploy/scenarios/outlier-detection',
    chaos: [
      {
        selector: 'app=cpanel,version=v1',
        chaos: { errorRate: 1, errorStatus: 503, delayMs: 0, seed: 1 },
        onlyFirst: true,
      },
    ],
  },
  'mtls-strict': { target: 'deploy/scenarios/mtls-strict' },
  authz: { target: 'deploy/scenarios/authz' },
  egress: { target: 'deploy/scenarios/egress' },
  'rate-limit': { target: 'deploy/scenarios/rate-limit' },
  'flagger-canary': { target: 'deploy/scenarios/flagger-canary' },
  'blue-green': { target: 'deploy/scenarios/blue-green' },
};

/** Commands that act on the pods of what is deployed: their selector and the renders they are meant for. */
export const POD_COMMANDS: Record<
  string,
  { selector: string; targets: string[]; chaos?: Chaos | null; onlyFirst?: boolean }
> = {
  'slow-replica': {
    selector: 'app=cpanel,version=v2',
    targets: ['deploy/scenarios/least-request'],
    chaos: { errorRate: 0, errorStatus: 503, delayMs: 300, seed: 1 },
    onlyFirst: true,
  },
  'mirror-counts': { selector: 'app=cpanel', targets: ['deploy/scenarios/mirror-v2'] },
  'lb-spread': {
    selector: 'app=cpanel',
    targets: ['deploy/scenarios/scale-v2-x3-round-robin', 'deploy/scenarios/random', 'deploy/scenarios/least-request'],
  },
  // the canary pods keep `app: cpanel` (the primary's are `app: cpanel-primary`)
  'flagger-break-canary': {
    selector: 'app=cpanel',
    targets: ['deploy/scenarios/flagger-canary'],
    chaos: { errorRate: 0.5, errorStatus: 503, delayMs: 0, seed: 1 },
  },
  'chaos-reset': { selector: PART_OF, targets: Object.values(DEPLOYS).map((d) => d.target), chaos: null },
};

/** Deployments (and containers) that commands act on by name: `kubectl scale/set env/exec/rollout`. */
export const NAMED_WORKLOADS: { command: string; deployment: string; container?: string; targets: string[] }[] = [
  { command: 'scale_v2_x3', deployment: 'cpanel-v2', targets: ['deploy/scenarios/default'] },
  {
    command: 'flagger-release',
    deployment: 'cpanel',
    container: 'cpanel',
    targets: ['deploy/scenarios/flagger-canary'],
  },
  { command: 'mtls-check', deployment: 'legacy-client', container: 'curl', targets: ['deploy/scenarios/mtls-strict'] },
  { command: 'mtls-check', deployment: 'debug-client', container: 'curl', targets: ['deploy/scenarios/mtls-strict'] },
  { command: 'authz-check', deployment: 'debug-client', container: 'curl', targets: ['deploy/scenarios/authz'] },
  { command: 'egress-check', deployment: 'alerts', targets: ['deploy/scenarios/egress'] },
  { command: 'blue-green', deployment: 'cpanel-v2', targets: ['deploy/scenarios/blue-green'] },
];

/** In-cluster calls the check commands make from a meshed client: what each must get. */
export const IN_MESH_CHECKS: {
  command: string;
  from: string;
  method: string;
  url: string;
  expect: 'allowed' | 'denied';
}[] = [
  {
    command: 'mtls-check',
    from: 'debug-client',
    method: 'GET',
    url: 'http://section-1.airport-mesh:8080/status',
    expect: 'allowed',
  },
  {
    command: 'authz-check',
    from: 'debug-client',
    method: 'GET',
    url: 'http://section-1:8080/status',
    expect: 'allowed',
  },
  {
    command: 'authz-check',
    from: 'debug-client',
    method: 'POST',
    url: 'http://section-1:8080/statistics',
    expect: 'denied',
  },
];

/** The load each load command sends through the ingress (LOAD_* env overrides `load`). */
export const LOADS: Record<string, LoadOptions & { targets: string[] }> = {
  load: {
    path: '/status',
    count: 100,
    intervalMs: 200,
    concurrency: 1,
    targets: ['deploy/scenarios/default', 'deploy/overlays/plain'],
  },
  'load-concurrent': {
    path: '/status',
    count: 200,
    intervalMs: 0,
    concurrency: 10,
    quiet: true,
    targets: ['deploy/scenarios/circuit-breaker', 'deploy/scenarios/least-request'],
  },
  'health-alerts': {
    path: '/alerts/status',
    count: 20,
    intervalMs: 200,
    concurrency: 1,
    targets: ['deploy/scenarios/fault-abort'],
  },
  'health-timeout': {
    path: '/cameras/1/state',
    count: 10,
    intervalMs: 200,
    concurrency: 1,
    targets: ['deploy/scenarios/timeout'],
  },
  'health-retries': {
    path: '/sections/1/status',
    count: 10,
    intervalMs: 200,
    concurrency: 1,
    targets: ['deploy/scenarios/retries'],
  },
  'load-burst': {
    path: '/collector/status',
    count: 200,
    intervalMs: 0,
    concurrency: 20,
    quiet: true,
    targets: ['deploy/scenarios/rate-limit'],
  },
  'load-latency': {
    path: '/status',
    count: 20,
    intervalMs: 0,
    concurrency: 4,
    quiet: true,
    targets: ['deploy/scenarios/fault-delay'],
  },
  'load-canary-header': {
    path: '/status',
    count: 50,
    intervalMs: 50,
    concurrency: 1,
    quiet: true,
    targets: ['deploy/scenarios/canary-header'],
  },
};

/** The dashboard's camera buttons through the ingress (seed 000 `make start-cameras`). */
export const CAMERA_CONTROL = (id: number, action: 'start' | 'stop') => ({
  method: 'POST',
  path: `/cameras/${id}/${action}`,
});

export async function runChaosSteps(io: Io, steps: ChaosStep[] = []): Promise<void> {
  for (const s of steps) await setChaos(io, s.selector, s.chaos, s.onlyFirst);
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
  const deploys = Object.fromEntries(
    Object.entries(DEPLOYS).map(([command, d]) => [
      command,
      () =>
        ok(async () => {
          await deployTarget(io, d.target);
          await runChaosSteps(io, d.chaos);
        }),
    ]),
  );
  const podCommand = (name: string) => {
    const c = POD_COMMANDS[name];
    return () =>
      ok(() =>
        c.chaos === undefined ? requestCounts(io, c.selector) : setChaos(io, c.selector, c.chaos, c.onlyFirst),
      );
  };
  const meshCall = (check: (typeof IN_MESH_CHECKS)[number]) =>
    kubectl(io, [
      '-n',
      NAMESPACE,
      'exec',
      `deploy/${check.from}`,
      '-c',
      'curl',
      '--',
      'curl',
      '-sS',
      '-m',
      '5',
      '-w',
      ' HTTP %{http_code}',
      ...(check.method === 'GET' ? [] : ['-X', check.method, '-H', 'content-type: application/json', '-d', '{}']),
      check.url,
    ]);
  // camera control is an operator route (docs/security.md): the token of Secret airport-operator, never printed
  const camera = async (action: 'start' | 'stop') => {
    const ingress = await ingressAddress(io);
    const authorization = `Bearer ${await operatorToken(io)}`;
    let failed = 0;
    for (const id of CAMERA_IDS) {
      const { method, path } = CAMERA_CONTROL(id, action);
      const url = `http://${ingress}${path}`;
      io.out(`curl -X ${method} -H 'Authorization: Bearer <airport-operator>' ${url}`);
      const a = await get(url, { method, headers: { authorization } });
      io.out(a.body);
      if (a.status >= 300) failed++;
    }
    return failed ? 1 : 0;
  };
  return {
    ...deploys,
    'blue-green': () =>
      ok(async () => {
        await deployTarget(io, DEPLOYS['blue-green'].target);
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
    health: () => health(io),
    secrets: () => ok(() => secretsCommand(io, false)),
    'rotate-secrets': () => ok(() => secretsCommand(io, true)),
    'start-cameras': () => camera('start'),
    'stop-cameras': () => camera('stop'),
    // seed 000: 100 × /status every 200 ms; LOAD_COUNT, LOAD_INTERVAL_MS and LOAD_PATH change that
    load: () =>
      ok(() =>
        loadAndSummarize({
          ...LOADS.load,
          path: io.env.LOAD_PATH ?? LOADS.load.path,
          count: Number(io.env.LOAD_COUNT ?? LOADS.load.count),
          intervalMs: Number(io.env.LOAD_INTERVAL_MS ?? LOADS.load.intervalMs),
        }),
      ),
    'load-canary-header': async () => {
      const withHeader = await load(io, { ...LOADS['load-canary-header'], headers: { 'x-test-group': 'true' } });
      const without = await load(io, LOADS['load-canary-header']);
      const v2 = withHeader.filter((a) => a.body.startsWith('CPanel v2')).length;
      const v1 = without.filter((a) => a.body.startsWith('CPanel v1')).length;
      io.out(`with x-test-group: true → CPanel v2 ${v2}/${withHeader.length}`);
      io.out(`without the header    → CPanel v1 ${v1}/${without.length}`);
      return v2 === withHeader.length && v1 === without.length ? 0 : 1;
    },
    'mirror-counts': podCommand('mirror-counts'),
    scale_v2_x3: () =>
      ok(async () => {
        io.out('kubectl scale deployment cpanel-v2 --replicas=3');
        await kubectlOk(io, ['-n', NAMESPACE, 'scale', 'deployment', 'cpanel-v2', '--replicas=3']);
        await kubectlOk(io, ['-n', NAMESPACE, 'rollout', 'status', 'deployment/cpanel-v2', '--timeout=300s']);
      }),
    'slow-replica': podCommand('slow-replica'),
    'lb-spread': podCommand('lb-spread'),
    'health-alerts': () => ok(() => loadAndSummarize(LOADS['health-alerts'])),
    'load-latency': async () => {
      const answers = await load(io, LOADS['load-latency']);
      const ms = answers.map((a) => a.ms);
      io.out(
        `p50 ${(percentile(ms, 50) / 1000).toFixed(2)} s, p90 ${(percentile(ms, 90) / 1000).toFixed(2)} s, max ${(Math.max(...ms) / 1000).toFixed(2)} s over ${ms.length} requests`,
      );
      return 0;
    },
    'health-timeout': () => ok(() => loadAndSummarize(LOADS['health-timeout'])),
    'health-retries': () => ok(() => loadAndSummarize(LOADS['health-retries'])),
    'load-concurrent': () => ok(() => loadAndSummarize(LOADS['load-concurrent'])),
    'mtls-check': async () => {
      const url = IN_MESH_CHECKS[0].url;
      io.out(`from legacy-client (no sidecar, plaintext): curl ${url}`);
      const legacy = await kubectl(io, [
        '-n',
        NAMESPACE,
        'exec',
        'deploy/legacy-client',
        '-c',
        'curl',
        '--',
        'curl',
        '-sS',
        '-m',
        '5',
        url,
      ]);
      io.out(legacy.code === 0 ? legacy.stdout.trim() : `refused (curl exit ${legacy.code}): ${legacy.stderr.trim()}`);
      io.out(`from debug-client (sidecar, mTLS): curl ${url}`);
      const meshed = await meshCall(IN_MESH_CHECKS[0]);
      io.out(meshed.code === 0 ? meshed.stdout.trim() : `failed (${meshed.code}): ${meshed.stderr.trim()}`);
      return legacy.code !== 0 && meshed.code === 0 && meshed.stdout.includes('HTTP 200') ? 0 : 1;
    },
    'authz-check': async () => {
      let failed = 0;
      for (const check of IN_MESH_CHECKS.filter((c) => c.command === 'authz-check')) {
        io.out(`debug-client: ${check.method} ${check.url}`);
        const r = await meshCall(check);
        io.out(r.stdout.trim() || r.stderr.trim());
        if (!r.stdout.includes(check.expect === 'allowed' ? 'HTTP 200' : 'HTTP 403')) failed++;
      }
      return failed ? 1 : 0;
    },
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
    'load-burst': () => ok(() => loadAndSummarize(LOADS['load-burst'])),
    'flagger-release': () =>
      ok(async () => {
        io.out('kubectl set env deployment/cpanel VERSION=v2   (Flagger detects the new revision)');
        await kubectlOk(io, ['-n', NAMESPACE, 'set', 'env', 'deployment/cpanel', '-c', 'cpanel', 'VERSION=v2']);
      }),
    'flagger-break-canary': podCommand('flagger-break-canary'),
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
    'chaos-reset': podCommand('chaos-reset'),
    'gateway-forward': () => gatewayForward(io),
    'all-reset': () =>
      ok(async () => {
        const canary = await kubectl(io, ['-n', NAMESPACE, 'get', 'canaries.flagger.app', '-o', 'name']);
        if (canary.code === 0 && canary.stdout.trim())
          await kubectlOk(io, ['-n', NAMESPACE, 'delete', 'canaries.flagger.app', '--all', '--wait=true']);
        io.out(`kubectl delete namespace ${NAMESPACE} --ignore-not-found --wait`);
        await kubectlOk(io, ['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=300s']);
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
