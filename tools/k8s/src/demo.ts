// The demo of the seeds (000's Makefile): deploy, health, load, and every scenario, against the
// current kubectl context and an ingress address. Every cluster call goes through `kubectl` (KUBECTL
// overrides which one), every request to the system through the ingress address ($INGRESS, host:port).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { kubectlPath } from './kubectl.js';
import { repoRoot } from './paths.js';
import { parseManifests, type K8sObject } from './render.js';

export const NAMESPACE = 'airport-mesh';
export const CAMERA_IDS = [1, 2, 3];
export const SECTION_IDS = [1, 2];
/** The ApplySet every deploy applies with (`--prune --applyset`): its parent is Secret airport-mesh/airport-mesh. */
export const APPLYSET = 'airport-mesh';
/** The Secret of the chaos API's admin token, created by the demo (never in git) and read by every pod. */
export const CHAOS_SECRET = { name: 'chaos-admin', key: 'token' };
/** Every pod of the system (chaos-reset, the rollout restart after a sidecar change). */
export const PART_OF = 'app.kubernetes.io/part-of=airport-mesh';
/** Istio's ingress gateway (deploy/overlays/istio and its scenarios). */
export const ISTIO_GATEWAY = { namespace: 'istio-system', service: 'istio-ingressgateway' };
/** Envoy Gateway's Service for the Gateway API Gateway `airport` (deploy/overlays/plain). */
export const GATEWAY_API = {
  gateway: 'airport',
  namespace: 'envoy-gateway-system',
  selector: `gateway.envoyproxy.io/owning-gateway-namespace=${NAMESPACE},gateway.envoyproxy.io/owning-gateway-name=airport`,
};
/** The seed's `make health` paths through the ingress. */
export const HEALTH_PATHS = [
  '/status',
  ...CAMERA_IDS.map((id) => `/cameras/${id}/state`),
  '/collector/status',
  '/alerts/status',
  ...SECTION_IDS.map((id) => `/sections/${id}/status`),
];

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

export function kubectl(
  io: Io,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectlPath(io.env),
      args,
      { env: { ...io.env, ...env }, cwd: io.root, maxBuffer: 64 * 1024 * 1024 },
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

async function kubectlOk(
  io: Io,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
  quiet = false,
): Promise<string> {
  const r = await kubectl(io, args, input, env);
  if (r.code !== 0) throw new DemoError(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  if (r.stdout.trim() && !quiet) io.out(r.stdout.trimEnd());
  return r.stdout;
}

/** `kubectl kustomize <dir>` with the same kubectl as every other call, parsed. */
export async function renderWith(io: Io, dir: string): Promise<K8sObject[]> {
  const r = await kubectl(io, ['kustomize', join(io.root, dir)]);
  if (r.code !== 0) throw new DemoError(`kubectl kustomize ${dir} failed: ${r.stderr.trim()}`);
  return parseManifests(r.stdout);
}

const list = (items: K8sObject[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

/** What a deploy of a render needs in the cluster before anything is changed, named when missing. */
export async function preflightFor(io: Io, objects: K8sObject[]): Promise<void> {
  const missing: string[] = [];
  const need = async (args: string[], what: string) => {
    if ((await kubectl(io, args)).code !== 0) missing.push(what);
  };
  if (objects.some((o) => o.kind === 'Canary'))
    await need(['get', 'crd', 'canaries.flagger.app', '-o', 'name'], 'Flagger (CRD canaries.flagger.app)');
  if (objects.some((o) => o.kind === 'HorizontalPodAutoscaler'))
    await need(
      ['get', 'apiservice', 'v1beta1.metrics.k8s.io', '-o', 'name'],
      'metrics-server (APIService v1beta1.metrics.k8s.io)',
    );
  const groups = new Set(objects.map((o) => (o.apiVersion ?? '').split('/')[0]));
  if ([...groups].some((g) => g.endsWith('istio.io')))
    await need(
      ['get', 'crd', 'virtualservices.networking.istio.io', '-o', 'name'],
      'Istio (CRD virtualservices.networking.istio.io)',
    );
  if (groups.has('gateway.networking.k8s.io'))
    await need(
      ['get', 'crd', 'httproutes.gateway.networking.k8s.io', '-o', 'name'],
      'Gateway API (CRD httproutes.gateway.networking.k8s.io)',
    );
  // the system's own images are built locally and loaded into the nodes (nothing to pull them from)
  const local = [
    ...new Set(
      objects
        .filter((o) => o.kind === 'Deployment')
        .flatMap((d) => (d.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image)),
    ),
  ].filter((i) => i.startsWith('airport-mesh/'));
  if (local.length && io.env.SKIP_IMAGE_CHECK !== '1') {
    const r = await kubectl(io, ['get', 'nodes', '-o', 'jsonpath={.items[*].status.images[*].names}']);
    const have = new Set(r.stdout.split(/[\s"[\],]+/).filter(Boolean));
    const absent = local.filter((i) => ![...have].some((n) => n === i || n.endsWith(`/${i}`)));
    if (r.code === 0 && absent.length)
      missing.push(
        `the images ${absent.join(', ')} on the nodes (make images, then kind load docker-image / minikube image load; make cluster-up does both; SKIP_IMAGE_CHECK=1 skips this)`,
      );
  }
  if (missing.length)
    throw new DemoError(
      `not in the cluster: ${missing.join(', ')}; nothing was changed (make cluster-up installs them, docs/kubernetes.md)`,
    );
}

/**
 * Deploys one render (an overlay or a scenario) so that nothing of the previous one is left:
 *  1. preflight (CRDs and APIs the render needs), before anything changes;
 *  2. when leaving flagger-canary: delete the Canary first and wait (Flagger's own objects, owned by
 *     it, go with it), so that the fixed cpanel versions never fight Flagger;
 *  3. the Namespace objects, then the chaos Secret (created once with a random token);
 *  4. everything else with `kubectl apply --prune --applyset=airport-mesh`: objects of the previous
 *     render that this one does not have are deleted;
 *  5. a sidecar-injection change (plain ↔ Istio) restarts every Deployment;
 *  6. waits for the rollout of every Deployment of the render (and for Flagger's initialization).
 * Chaos left by an earlier scenario is reset before the apply.
 */
export async function deployTarget(io: Io, dir: string): Promise<K8sObject[]> {
  const objects = await renderWith(io, dir);
  const outside = objects.filter((o) => o.kind !== 'Namespace' && o.metadata?.namespace !== NAMESPACE);
  if (outside.length)
    throw new DemoError(
      `${dir}: ${outside.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')} outside namespace ${NAMESPACE}`,
    );
  await preflightFor(io, objects);
  const hadSecret = (await kubectl(io, ['-n', NAMESPACE, 'get', 'secret', CHAOS_SECRET.name, '-o', 'name'])).code === 0;
  if (hadSecret) await resetChaos(io);
  if (!objects.some((o) => o.kind === 'Canary')) {
    const canary = await kubectl(io, ['-n', NAMESPACE, 'get', 'canaries.flagger.app', '-o', 'name']);
    if (canary.code === 0 && canary.stdout.trim()) {
      io.out('leaving flagger-canary: deleting the Canary and the objects Flagger made for it');
      await kubectlOk(io, [
        '-n',
        NAMESPACE,
        'delete',
        'canaries.flagger.app',
        '--all',
        '--cascade=foreground',
        '--wait=true',
        '--timeout=300s',
      ]);
    }
  }
  const injectionBefore = (
    await kubectl(io, ['get', 'namespace', NAMESPACE, '-o', "jsonpath={.metadata.labels['istio-injection']}"])
  ).stdout.trim();
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  io.out(`kubectl apply (Namespace ${namespaces.map((n) => n.metadata?.name).join(', ')})`);
  await kubectlOk(io, ['apply', '-f', '-'], list(namespaces));
  await ensureChaosSecret(io);
  const rest = objects.filter((o) => o.kind !== 'Namespace');
  io.out(`kubectl apply --prune --applyset=${APPLYSET} (${dir}: ${rest.length} objects)`);
  await kubectlOk(io, ['apply', '-n', NAMESPACE, '--prune', `--applyset=${APPLYSET}`, '-f', '-'], list(rest), {
    KUBECTL_APPLYSET: 'true',
  });
  const ns = namespaces.find((n) => n.metadata?.name === NAMESPACE);
  const injectionAfter = ns?.metadata?.labels?.['istio-injection'] ?? '';
  if (injectionBefore !== injectionAfter && hadSecret) {
    io.out(`sidecar injection ${injectionBefore || 'off'} → ${injectionAfter || 'off'}: restarting every Deployment`);
    await kubectlOk(io, ['-n', NAMESPACE, 'rollout', 'restart', 'deployment', '-l', PART_OF]);
  }
  await waitForRollouts(io, objects);
  return objects;
}

/** `kubectl rollout status` for every Deployment of a render; Flagger's Canary: until it is initialized. */
export async function waitForRollouts(io: Io, objects: K8sObject[]): Promise<void> {
  const timeout = `--timeout=${io.env.ROLLOUT_TIMEOUT ?? '300s'}`;
  for (const d of objects.filter((o) => o.kind === 'Deployment')) {
    io.out(`kubectl rollout status deployment/${d.metadata?.name}`);
    await kubectlOk(io, ['-n', NAMESPACE, 'rollout', 'status', `deployment/${d.metadata?.name}`, timeout]);
  }
  for (const c of objects.filter((o) => o.kind === 'Canary')) {
    io.out(`kubectl wait canary/${c.metadata?.name} --for=condition=Promoted (Flagger initialized it)`);
    await kubectlOk(io, [
      '-n',
      NAMESPACE,
      'wait',
      `canaries.flagger.app/${c.metadata?.name}`,
      '--for=condition=Promoted',
      '--timeout=600s',
    ]);
  }
}

/**
 * The chaos API needs CHAOS_ADMIN_TOKEN in a Secret that git never holds: create it with a random
 * token the first time. Returns whether it was created now.
 */
export async function ensureChaosSecret(io: Io): Promise<boolean> {
  const r = await kubectl(io, ['-n', NAMESPACE, 'get', 'secret', CHAOS_SECRET.name, '-o', 'name']);
  if (r.code === 0) return false;
  const token = randomBytes(16).toString('hex');
  const manifest = list([
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: CHAOS_SECRET.name, namespace: NAMESPACE },
      type: 'Opaque',
      stringData: { [CHAOS_SECRET.key]: token },
    },
  ]);
  io.out(`creating Secret ${NAMESPACE}/${CHAOS_SECRET.name} (a random CHAOS_ADMIN_TOKEN)`);
  await kubectlOk(io, ['apply', '-f', '-'], manifest);
  return true;
}

/**
 * The admin token. When the system was applied without the demo (`kubectl apply -k` directly) the
 * Secret is missing and the pods started without a token: create it and restart them so they read it.
 */
async function chaosToken(io: Io): Promise<string> {
  if (await ensureChaosSecret(io)) {
    io.out('the pods started without the Secret: restarting them so that they read the token');
    await kubectlOk(io, ['-n', NAMESPACE, 'rollout', 'restart', 'deployment', '-l', PART_OF]);
    const names = (
      await kubectlOk(
        io,
        ['-n', NAMESPACE, 'get', 'deployments', '-l', PART_OF, '-o', 'jsonpath={.items[*].metadata.name}'],
        undefined,
        {},
        true,
      )
    )
      .split(/\s+/)
      .filter(Boolean);
    await waitForRollouts(
      io,
      names.map((name) => ({ kind: 'Deployment', metadata: { name } })),
    );
  }
  const out = await kubectl(io, [
    '-n',
    NAMESPACE,
    'get',
    'secret',
    CHAOS_SECRET.name,
    '-o',
    `jsonpath={.data.${CHAOS_SECRET.key}}`,
  ]);
  if (out.code !== 0 || !out.stdout.trim())
    throw new DemoError(`no Secret ${NAMESPACE}/${CHAOS_SECRET.name}: ${out.stderr.trim()}`);
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

/** DELETE /chaos on every pod of the system (no pod: nothing to do). */
export async function resetChaos(io: Io): Promise<void> {
  if ((await pods(io, PART_OF)).length) await setChaos(io, PART_OF, null);
}

// ------------------------------------------------------------------------------------------ ingress

/** The gateway Service of the deployed overlay: Istio's when the namespace has sidecar injection, else Envoy Gateway's for Gateway `airport`. */
export async function gatewayService(io: Io): Promise<{ namespace: string; name: string; json?: string }> {
  const injection = await kubectl(io, [
    'get',
    'namespace',
    NAMESPACE,
    '-o',
    "jsonpath={.metadata.labels['istio-injection']}",
  ]);
  if (injection.code === 0 && injection.stdout.trim() === 'enabled') {
    const r = await kubectl(io, ['-n', ISTIO_GATEWAY.namespace, 'get', 'service', ISTIO_GATEWAY.service, '-o', 'json']);
    if (r.code !== 0)
      throw new DemoError(
        `the Istio overlay is deployed but ${ISTIO_GATEWAY.namespace}/${ISTIO_GATEWAY.service} is missing: ${r.stderr.trim()}`,
      );
    return { namespace: ISTIO_GATEWAY.namespace, name: ISTIO_GATEWAY.service, json: r.stdout };
  }
  const r = await kubectl(io, [
    '-n',
    GATEWAY_API.namespace,
    'get',
    'service',
    '-l',
    GATEWAY_API.selector,
    '-o',
    'json',
  ]);
  const item =
    r.code === 0 ? (JSON.parse(r.stdout) as { items: { metadata: { name: string } }[] }).items[0] : undefined;
  if (!item)
    throw new DemoError(
      `no Service for Gateway ${NAMESPACE}/${GATEWAY_API.gateway} in ${GATEWAY_API.namespace} (is the plain overlay deployed and Envoy Gateway installed? make cluster-up)`,
    );
  return { namespace: GATEWAY_API.namespace, name: item.metadata.name, json: JSON.stringify(item) };
}

/** $INGRESS, else the deployed overlay's gateway: its LoadBalancer address, else its NodePort on the first node. */
export async function ingressAddress(io: Io): Promise<string> {
  if (io.env.INGRESS) return io.env.INGRESS.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const svc = await gatewayService(io);
  const s = JSON.parse(svc.json ?? '{}') as {
    spec: { ports: { name?: string; port: number; nodePort?: number }[] };
    status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
  };
  const http = s.spec.ports.find((p) => p.name === 'http2' || p.name === 'http' || p.port === 80) ?? s.spec.ports[0];
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
  throw new DemoError(
    `no address for ${svc.namespace}/${svc.name} (no LoadBalancer, no NodePort): run \`make gateway-forward\` in another terminal and set INGRESS=127.0.0.1:8080 (docs/kubernetes.md)`,
  );
}

/** `make gateway-forward`: a port-forward to the deployed overlay's gateway on 127.0.0.1:$GATEWAY_PORT (8080), until Ctrl-C. */
export async function gatewayForward(io: Io): Promise<number> {
  const svc = await gatewayService(io);
  const local = io.env.GATEWAY_PORT ?? '8080';
  const port = (JSON.parse(svc.json ?? '{}') as { spec: { ports: { name?: string; port: number }[] } }).spec.ports.find(
    (p) => p.name === 'http2' || p.name === 'http' || p.port === 80,
  )?.port;
  const args = ['-n', svc.namespace, 'port-forward', `service/${svc.name}`, `${local}:${port ?? 80}`];
  io.out(`kubectl ${args.join(' ')}`);
  io.out(`in another terminal: export INGRESS=127.0.0.1:${local}   (Ctrl-C here ends the forward)`);
  const child = spawn(kubectlPath(io.env), args, { env: io.env, cwd: io.root, stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
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
  const camera = async (action: 'start' | 'stop') => {
    const ingress = await ingressAddress(io);
    let failed = 0;
    for (const id of CAMERA_IDS) {
      const { method, path } = CAMERA_CONTROL(id, action);
      const url = `http://${ingress}${path}`;
      io.out(`curl -X ${method} ${url}`);
      const a = await get(url, { method });
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
