/**
 * The cluster target: the current kubectl context, the plain overlay (`plain`: RESILIENCE=client in the
 * apps) against the Istio overlay with each experiment's scenario applied (`istio`: the mesh does it,
 * client resilience off). Every cluster call goes through the one cluster driver of tools/
 * (`@airport-mesh/k8s-tools`, shared with the demo behind the Makefile): its kubectl rule ($KUBECTL,
 * else the pinned kubectl 1.34), the deploy of a render as one pruned ApplySet with rollout waits, pod
 * lookups, port-forwards, the chaos API through the generated clients, and the gateway of the deployed
 * overlay as the ingress.
 *
 * Each mode starts from a fresh namespace (`kubectl delete namespace airport-mesh`), so that no state of
 * a previous run (stores, counters, chaos) leaks into a measurement. That is why the cluster target
 * needs `--yes`. Frames go to the collector through a port-forward (the gateway only reads: it serves
 * no write from outside); the collector's own calls, where the resilience under test acts, go through
 * the mesh or the apps' clients as in production.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  authSecretsReadBy,
  chaosToken,
  deployTarget,
  ingressAddress,
  kubectl,
  NAMESPACE,
  openPortForward,
  pods,
  serviceKey,
  serviceKeySecret,
  type Io,
} from '@airport-mesh/k8s-tools';
import { signCallerToken } from '@airport-mesh/platform/keys';
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

export { NAMESPACE };

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

/** The driver's kubectl, bound to one environment (kept as the lab's public API). */
export class Kubectl {
  readonly io: Io;
  constructor(env: NodeJS.ProcessEnv, root: string, log: (line: string) => void = () => {}) {
    this.io = { out: log, err: log, env, root };
  }

  run(args: string[], input?: string): Promise<KubectlResult> {
    return kubectl(this.io, args, input).catch((e: Error) => {
      throw new LabError(
        `kubectl ${args.join(' ')}: ${e.message} (set KUBECTL to a kubectl, or let the pinned one be used)`,
      );
    });
  }

  async ok(args: string[], input?: string): Promise<string> {
    const r = await this.run(args, input);
    if (r.code !== 0)
      throw new LabError(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
    return r.stdout;
  }

  /** `kubectl port-forward pod/<pod> :8080` until `close()`; resolves with the local base URL. */
  portForward(pod: string): Promise<{ base: string; close: () => void }> {
    return openPortForward(this.io, pod);
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

/**
 * A fresh namespace for a mode, then its render deployed by the driver (which makes its AUTH Secrets);
 * returns the chaos admin token and, where the render runs AUTH=app (plain), the camera agents' key
 * from Secret airport-key-camera-agent: the lab's frames are a camera's and are signed as one.
 */
async function freshDeploy(
  k: Kubectl,
  manifests: string,
  log: (l: string) => void,
): Promise<{ token: string; cameraKey?: string }> {
  log(`kubectl delete namespace ${NAMESPACE} --wait (a fresh start for this mode)`);
  await k.ok(['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=true', '--timeout=300s']);
  const objects = await deployTarget(k.io, manifests);
  const signs = authSecretsReadBy(objects).includes(serviceKeySecret('camera-agent'));
  return { token: await chaosToken(k.io), cameraKey: signs ? await serviceKey(k.io, 'camera-agent') : undefined };
}

/** Applies an experiment's render over the mode's (pruned ApplySet) and waits for every rollout. */
async function applyAndWait(k: Kubectl, manifests: string, timeoutS: number, log: (l: string) => void): Promise<void> {
  const objects = await deployTarget({ ...k.io, env: { ...k.io.env, ROLLOUT_TIMEOUT: `${timeoutS}s` } }, manifests);
  log(`  ${objects.filter((o) => o.kind === 'Deployment').length} deployments rolled out`);
}

async function podsOf(k: Kubectl, selector: string): Promise<string[]> {
  return pods(k.io, selector);
}

/** The mode's ingress: given, else the gateway of the deployed overlay (the driver's discovery). */
async function ingressFor(k: Kubectl, mode: ClusterMode, given?: string): Promise<string> {
  if (given) return given.replace(/^https?:\/\//, '').replace(/\/$/, '');
  try {
    return await ingressAddress(k.io);
  } catch (e) {
    throw new LabError(`no ingress address for ${mode}: ${(e as Error).message}; or pass --ingress-${mode} host:port`);
  }
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
  const k = new Kubectl(options.env ?? process.env, root, log);
  const timeoutS = options.rolloutTimeoutS ?? 300;
  const stamp = Date.now().toString(36);
  if (!options.yes) {
    throw new LabUsageError(
      `the cluster target deletes and recreates namespace ${NAMESPACE} once per mode; run again with --yes to allow it`,
    );
  }
  await preflight(k, log);
  for (const mode of CLUSTER_MODES) {
    const first = experiments.find((e) => e.cluster)?.cluster?.manifests[mode];
    const { token, cameraKey } = first ? await freshDeploy(k, first, log) : { token: '', cameraKey: undefined };
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
      if (cluster.measurement === 'pending') {
        onRun(
          {
            experiment: experiment.name,
            mode,
            status: 'skipped',
            note: `not measured: the cluster driver does not take this measurement yet (${experiment.measures})`,
            events: [],
            metrics: {},
          },
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
      let collector: { base: string; close: () => void } | undefined;
      try {
        await applyAndWait(k, cluster.manifests[mode], timeoutS, log);
        ingress ??= await ingressFor(k, mode, options.ingress?.[mode]);
        run.parameters!.ingress = ingress;
        await checkIngress(ingress);
        const fault = cluster.fault;
        if (fault.kind === 'chaos') {
          const pods = await podsOf(k, fault.selector);
          if (pods.length === 0) throw new LabError(`no running pod matches ${fault.selector}`);
          for (const pod of pods) forwards.push({ pod, ...(await k.portForward(pod)) });
          for (const f of forwards) await setChaos(f.base, token, fault.settings, f.pod);
          log(`  chaos on ${forwards.map((f) => f.pod).join(', ')}: ${JSON.stringify(fault.settings)}`);
        }
        const sectionPods = experiment.kind === 'frames' ? await podsOf(k, 'app=section-1') : [];
        const duplicatesBefore = fault.kind === 'kill-pod' ? 0 : await sectionDuplicates(k, sectionPods);

        // frames enter at the collector (a port-forward: the gateway serves no write from outside); the
        // split experiments read /status through the gateway
        let target = `http://${ingress}`;
        let path = cluster.path;
        if (experiment.kind === 'frames') {
          const [pod] = await podsOf(k, 'app=collector');
          if (!pod) throw new LabError('no running collector pod');
          collector = await k.portForward(pod);
          target = collector.base;
          path = cluster.path.replace(/^\/collector(?=\/)/, '');
        }
        const proxy = new RecordingProxy(target, { captureFirstLine: experiment.kind === 'split' });
        const proxyUrl = await proxy.start();
        const cameraId = `lab-${experiment.name}-${mode}-${stamp}`;
        // AUTH=app (plain): the collector takes frames only from a camera's signed token (POST /frames)
        const cameraAuth: Record<string, string> =
          experiment.kind === 'frames' && cameraKey
            ? {
                authorization: `Bearer ${await signCallerToken(cameraKey, cameraId, 'POST', path, Math.ceil(plan.durationMs / 1000) + 600)}`,
              }
            : {};
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
            url: `${proxyUrl}${path}`,
            method: experiment.kind === 'frames' ? 'POST' : 'GET',
            rate: plan.rate,
            durationMs: plan.durationMs,
            timeoutMs: plan.timeoutMs,
            headers: {
              ...(experiment.kind === 'frames' ? { 'content-type': 'application/json' } : {}),
              ...cluster.headers,
              ...cameraAuth,
            },
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
            const s = await getChaos(f.base, token, f.pod);
            requests += s.injected.considered;
            errors += s.injected.errors;
            delays += s.injected.delays;
            await setChaos(f.base, token, null, f.pod);
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
            for (const seq of missing) await sendFrame(target, cameraId, seq, undefined, cameraAuth);
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
            v2ShareCi95: ok ? 1.96 * Math.sqrt(((v2 / ok) * (1 - v2 / ok)) / ok) : null,
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
        collector?.close();
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
