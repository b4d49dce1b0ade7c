/**
 * The cluster target: the current kubectl context, the plain overlay (`plain`: RESILIENCE=client in the
 * apps) against the Istio overlay with each experiment's scenario applied (`istio`: the mesh does it,
 * client resilience off). Every cluster call goes through `kubectl` ($KUBECTL overrides which one);
 * faults go to the pods' chaos API through `kubectl port-forward`; load goes to the ingress address
 * (per mode: ingress-nginx for plain, the Istio ingress gateway for istio, or given with --ingress-*).
 *
 * Each mode starts from a fresh namespace (`kubectl delete namespace airport-mesh`), because switching
 * between the overlays changes sidecar injection, NetworkPolicies and AuthorizationPolicies that a plain
 * `apply` would leave behind. That is why the cluster target needs `--yes`.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad, type LoadResult } from '@airport-mesh/loadgen';
import { REPO_ROOT } from '@airport-mesh/local-stack';
import { LabUsageError } from './experiments.js';
import {
  counterValue,
  frameBody,
  getChaos,
  LabError,
  metricsText,
  sendFrame,
  setChaos,
  storedRecords,
} from './http.js';
import { countFrames, frameMetrics, tailSuccessRate } from './measure.js';
import { RecordingProxy } from './proxy.js';
import { CLUSTER_MODES, type ClusterMode, type Experiment, type Run, type RunEvent } from './types.js';

export const NAMESPACE = 'airport-mesh';

export interface ClusterOptions {
  log: (line: string) => void;
  /** Confirms that the lab may delete and recreate the namespace (required). */
  yes?: boolean;
  /** host:port of the ingress per mode; discovered from the cluster when absent. */
  ingress?: Partial<Record<ClusterMode, string>>;
  env?: NodeJS.ProcessEnv;
  root?: string;
  rolloutTimeoutS?: number;
}

interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Kubectl {
  readonly bin: string;
  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly root: string,
  ) {
    this.bin = env.KUBECTL || 'kubectl';
  }

  run(args: string[], input?: string): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.bin,
        args,
        { env: this.env, cwd: this.root, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 },
        (error, stdout, stderr) => {
          const code = (error as { code?: unknown } | null)?.code;
          if (error && typeof code !== 'number') {
            if (code === 'ENOENT')
              return reject(
                new LabError(`kubectl not found (${this.bin}): install kubectl or set KUBECTL to its path`),
              );
            return reject(new LabError(`kubectl ${args.join(' ')}: ${error.message}`));
          }
          resolve({ code: error ? Number(code) : 0, stdout: String(stdout), stderr: String(stderr) });
        },
      );
      child.stdin?.end(input ?? '');
    });
  }

  async ok(args: string[], input?: string): Promise<string> {
    const r = await this.run(args, input);
    if (r.code !== 0)
      throw new LabError(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  /** `kubectl port-forward pod/<pod> :8080` until `close()`; resolves with the local base URL. */
  async portForward(pod: string): Promise<{ base: string; close: () => void }> {
    const child: ChildProcess = spawn(this.bin, ['-n', NAMESPACE, 'port-forward', `pod/${pod}`, ':8080'], {
      env: this.env,
      cwd: this.root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new LabError(`port-forward to ${pod}: no port after 15 s`)), 15_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new LabError(`port-forward to ${pod}: ${e.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new LabError(`port-forward to ${pod} exited with ${code}`));
      });
    });
    return { base: `http://127.0.0.1:${port}`, close: () => void child.kill('SIGTERM') };
  }
}

/** Checks the context and that its API server answers; the message says what to do when it does not. */
async function preflight(k: Kubectl, log: (l: string) => void): Promise<string> {
  const ctx = await k.run(['config', 'current-context']);
  if (ctx.code !== 0 || !ctx.stdout.trim())
    throw new LabError(
      `no current kubectl context (${ctx.stderr.trim() || 'empty'}): point kubectl at a cluster first (docs/kubernetes.md)`,
    );
  const context = ctx.stdout.trim();
  const api = await k.run(['get', 'namespace', 'kube-system', '-o', 'name', '--request-timeout=10s']);
  if (api.code !== 0)
    throw new LabError(`cluster unreachable (context ${context}): ${api.stderr.trim() || `kubectl exit ${api.code}`}`);
  log(`cluster: context ${context}`);
  return context;
}

async function freshNamespace(k: Kubectl, log: (l: string) => void): Promise<string> {
  log(`kubectl delete namespace ${NAMESPACE} --wait (a fresh start for this mode)`);
  await k.ok(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=300s']);
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
  await k.ok(['apply', '-f', '-'], manifest);
  return token;
}

async function applyAndWait(
  k: Kubectl,
  root: string,
  manifests: string,
  timeoutS: number,
  log: (l: string) => void,
): Promise<void> {
  log(`kubectl apply -k ${manifests}`);
  await k.ok(['apply', '-k', join(root, manifests)]);
  const names = (await k.ok(['-n', NAMESPACE, 'get', 'deployments', '-o', 'jsonpath={.items[*].metadata.name}']))
    .split(/\s+/)
    .filter(Boolean)
    .sort();
  if (names.length === 0) throw new LabError(`no Deployment in namespace ${NAMESPACE} after applying ${manifests}`);
  for (const name of names)
    await k.ok(['-n', NAMESPACE, 'rollout', 'status', `deployment/${name}`, `--timeout=${timeoutS}s`]);
  log(`  ${names.length} deployments rolled out`);
}

async function podsOf(k: Kubectl, selector: string): Promise<string[]> {
  const out = await k.ok([
    '-n',
    NAMESPACE,
    'get',
    'pods',
    '-l',
    selector,
    '--field-selector=status.phase=Running',
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  return out.split(/\s+/).filter(Boolean).sort();
}

/** The mode's ingress: given, else the controller's LoadBalancer address, else its NodePort on the first node. */
async function ingressFor(k: Kubectl, mode: ClusterMode, given?: string): Promise<string> {
  if (given) return given.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const [ns, svc] =
    mode === 'istio' ? ['istio-system', 'istio-ingressgateway'] : ['ingress-nginx', 'ingress-nginx-controller'];
  const r = await k.run(['-n', ns, 'get', 'service', svc, '-o', 'json']);
  if (r.code === 0) {
    const s = JSON.parse(r.stdout) as {
      spec: { ports: { name?: string; port: number; nodePort?: number }[] };
      status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
    };
    const http = s.spec.ports.find((p) => p.name === 'http2' || p.name === 'http') ?? s.spec.ports[0];
    const lb = s.status?.loadBalancer?.ingress?.[0];
    if (lb?.ip || lb?.hostname) return `${lb.ip ?? lb.hostname}:${http.port}`;
    if (http.nodePort) {
      const node = await k.run([
        'get',
        'nodes',
        '-o',
        'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}',
      ]);
      if (node.code === 0 && node.stdout.trim()) return `${node.stdout.trim()}:${http.nodePort}`;
    }
  }
  throw new LabError(
    `no ingress address for ${mode} (service ${ns}/${svc}): pass --ingress-${mode} host:port (e.g. a kubectl port-forward of it)`,
  );
}

async function checkIngress(address: string): Promise<void> {
  try {
    const res = await fetch(`http://${address}/status`, { signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
  } catch (error) {
    throw new LabError(
      `ingress http://${address} unreachable: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`,
    );
  }
}

interface Forward {
  pod: string;
  base: string;
  close: () => void;
}

export async function runClusterExperiments(
  experiments: Experiment[],
  profile: 'full' | 'short',
  options: ClusterOptions,
  onRun: (run: Run, experiment: Experiment) => void,
): Promise<void> {
  const log = options.log;
  const root = options.root ?? REPO_ROOT;
  const k = new Kubectl(options.env ?? process.env, root);
  const timeoutS = options.rolloutTimeoutS ?? 300;
  const stamp = Date.now().toString(36);
  if (!options.yes) {
    throw new LabUsageError(
      `the cluster target deletes and recreates namespace ${NAMESPACE} once per mode; run again with --yes to allow it`,
    );
  }
  await preflight(k, log);
  for (const mode of CLUSTER_MODES) {
    const token = await freshNamespace(k, log);
    let ingress: string | undefined;
    for (const experiment of experiments) {
      const cluster = experiment.cluster;
      if (!cluster) {
        onRun(
          { experiment: experiment.name, mode, status: 'skipped', note: 'no cluster form', events: [], metrics: {} },
          experiment,
        );
        continue;
      }
      log(`${experiment.name} [${mode}]`);
      const plan = profile === 'short' ? { ...experiment.load, ...experiment.short } : experiment.load;
      const events: RunEvent[] = [];
      const run: Run = {
        experiment: experiment.name,
        mode,
        status: 'failed',
        startedAt: new Date().toISOString(),
        parameters: { load: plan, fault: cluster.fault, manifests: cluster.manifests[mode] },
        events,
        metrics: {},
      };
      const t0 = performance.now();
      const forwards: Forward[] = [];
      try {
        await applyAndWait(k, root, cluster.manifests[mode], timeoutS, log);
        ingress ??= await ingressFor(k, mode, options.ingress?.[mode]);
        run.parameters!.ingress = ingress;
        await checkIngress(ingress);
        const fault = cluster.fault;
        if (fault.kind === 'chaos') {
          const pods = await podsOf(k, fault.selector);
          if (pods.length === 0) throw new LabError(`no running pod matches ${fault.selector}`);
          for (const pod of pods) forwards.push({ pod, ...(await k.portForward(pod)) });
          for (const f of forwards) await setChaos(f.base, token, fault.settings);
          log(`  chaos on ${forwards.map((f) => f.pod).join(', ')}: ${JSON.stringify(fault.settings)}`);
        }
        const sectionPods = experiment.kind === 'frames' ? await podsOf(k, 'app=section-1') : [];
        const duplicatesBefore = fault.kind === 'kill-pod' ? 0 : await sectionDuplicates(k, sectionPods);

        const proxy = new RecordingProxy(`http://${ingress}`, { captureFirstLine: experiment.kind === 'split' });
        const proxyUrl = await proxy.start();
        const cameraId = `lab-${experiment.name}-${mode}-${stamp}`;
        const loadStart = performance.now();
        const since = () => Math.round(performance.now() - loadStart);
        let readyAtMs: number | undefined;
        let faultDone: Promise<void> = Promise.resolve();
        if (fault.kind === 'kill-pod') {
          faultDone = (async () => {
            await sleep(fault.atMs);
            await k.ok([
              '-n',
              NAMESPACE,
              'delete',
              'pod',
              '-l',
              fault.selector,
              '--grace-period=0',
              '--force',
              '--wait=false',
            ]);
            events.push({ atMs: since(), what: `deleted pods ${fault.selector} (grace period 0: SIGKILL)` });
            await k.ok([
              '-n',
              NAMESPACE,
              'rollout',
              'status',
              `deployment/${fault.deployment}`,
              `--timeout=${timeoutS}s`,
            ]);
            readyAtMs = since();
            events.push({ atMs: readyAtMs, what: `deployment/${fault.deployment} rolled out again` });
          })();
        }
        let load: LoadResult;
        try {
          load = await runLoad({
            url: `${proxyUrl}${experiment.kind === 'frames' ? cluster.path : cluster.path}`,
            method: experiment.kind === 'frames' ? 'POST' : 'GET',
            rate: plan.rate,
            durationMs: plan.durationMs,
            timeoutMs: plan.timeoutMs,
            headers: experiment.kind === 'frames' ? { 'content-type': 'application/json' } : {},
            body:
              experiment.kind === 'frames'
                ? ({ index }) => ({ body: frameBody(cameraId, index), headers: { 'x-lab-seq': String(index) } })
                : undefined,
          });
          await faultDone;
        } finally {
          await proxy.close();
        }
        const metrics: Run['metrics'] = {};
        if (fault.kind === 'chaos') {
          await sleep((fault.settings.delayMs ?? 0) + 500);
          let requests = 0;
          let errors = 0;
          let delays = 0;
          for (const f of forwards) {
            const s = await getChaos(f.base, token);
            requests += s.injected.considered;
            errors += s.injected.errors;
            delays += s.injected.delays;
            await setChaos(f.base, token, null);
          }
          run.dependency = { service: fault.selector, requests, injectedErrors: errors, injectedDelays: delays };
          log(`  chaos reset on ${forwards.map((f) => f.pod).join(', ')}`);
        }
        if (experiment.kind === 'frames') {
          const sent = load.requests.intended;
          const acknowledged = proxy.acknowledged();
          const sectionBase = `http://${ingress}/sections/1`;
          const duplicateDeliveries =
            fault.kind === 'kill-pod'
              ? null
              : (await sectionDuplicates(k, await podsOf(k, 'app=section-1'))) - duplicatesBefore;
          const frames = countFrames({
            cameraId,
            sent,
            acknowledged,
            records: await storedRecords(sectionBase),
            duplicateDeliveries,
          });
          Object.assign(metrics, frameMetrics(load, frames));
          if (run.dependency) metrics.dependencyRequestsPerFrame = sent > 0 ? run.dependency.requests / sent : null;
          if (fault.kind === 'kill-pod') {
            metrics.tailSuccessRate =
              readyAtMs === undefined ? null : tailSuccessRate(acknowledged, sent, plan.rate, readyAtMs + 1_500);
            const missing = Array.from({ length: sent }, (_, seq) => seq).filter((seq) => !acknowledged.has(seq));
            for (const seq of missing) await sendFrame(`http://${ingress}/collector`, cameraId, seq);
            const after = countFrames({
              cameraId,
              sent,
              acknowledged,
              records: await storedRecords(sectionBase),
              duplicateDeliveries: null,
            });
            Object.assign(frames, {
              resent: missing.length,
              lostAfterResend: after.lost,
              storeDuplicates: after.storeDuplicates,
              storeRows: after.storeRows,
              storeDistinct: after.storeDistinct,
            });
            metrics.lostAfterResend = after.lost;
            metrics.storeDuplicates = after.storeDuplicates;
          }
          run.frames = frames;
        } else {
          const split = Object.fromEntries(proxy.firstLines);
          const ok = load.requests.ok;
          const v2 = [...proxy.firstLines]
            .filter(([line]) => line.startsWith('CPanel v2'))
            .reduce((s, [, n]) => s + n, 0);
          run.split = split;
          Object.assign(metrics, {
            successRate: load.requests.intended ? ok / load.requests.intended : null,
            p50Ms: load.latencyMs.p50,
            p90Ms: load.latencyMs.p90,
            p99Ms: load.latencyMs.p99,
            v2Share: ok ? v2 / ok : null,
          });
        }
        Object.assign(run, { status: 'ok', load, metrics, elapsedMs: Math.round(performance.now() - t0) });
        onRun(run, experiment);
      } catch (error) {
        run.note = (error as Error).message;
        run.elapsedMs = Math.round(performance.now() - t0);
        onRun(run, experiment);
        throw error;
      } finally {
        for (const f of forwards) f.close();
      }
    }
  }
}

/** section_statistics_duplicates_total summed over the section-1 pods (through port-forwards). */
async function sectionDuplicates(k: Kubectl, pods: string[]): Promise<number> {
  let total = 0;
  for (const pod of pods) {
    const f = await k.portForward(pod);
    try {
      total += counterValue(await metricsText(f.base), 'section_statistics_duplicates_total');
    } finally {
      f.close();
    }
  }
  return total;
}
