/**
 * The local target: for each mode a fresh stack per experiment (tools/local-stack, real processes on
 * ports moved by an offset), with RESILIENCE=<mode> and a CHAOS_ADMIN_TOKEN, so no state (stores,
 * breakers) leaks from one experiment into the next.
 */
import { signCallerToken } from '@airport-mesh/platform/keys';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runLoad, type LoadResult } from '@airport-mesh/loadgen';
import { DEFAULT_SERVICES, LocalStack, REPO_ROOT, withPortOffset } from '@airport-mesh/local-stack';
import {
  counterValue,
  cpuSeconds,
  frameBody,
  getChaos,
  LabError,
  metricsText,
  sendFrame,
  setChaos,
  storedAlerts,
  storedRecords,
  warmUp,
  watchlistedFrames,
  type StoredRecord,
} from './http.js';
import { measureStep } from './calibration.js';
import { countFrames, cpuCores, frameMetrics, pairedGoodputShare, tailSuccessRate, workDone } from './measure.js';
import {
  isServiceSetting,
  type Experiment,
  type FrameCounts,
  type LoadPlan,
  type LocalMode,
  type Run,
  type RunEvent,
} from './types.js';

/**
 * The service settings set in the lab's own environment that the run does not set itself, e.g.
 * `ANALYSIS_QUEUE=1 node tools/lab/dist/cli.js run …`: the services inherit them, so the run records
 * them beside its own settings (result.json's `parameters.env`, the report's `env` line).
 */
export function inheritedSettings(processEnv: NodeJS.ProcessEnv, own: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(processEnv).filter(
      (e): e is [string, string] => isServiceSetting(e[0]) && e[1] !== undefined && !(e[0] in own),
    ),
  );
}

export interface LocalOptions {
  /** Added to every default port (default 24000: beside `npm start` on 808x and the e2e tests on +20000). */
  portOffset: number;
  log: (line: string) => void;
  /** Extra environment for every service. */
  env?: Record<string, string>;
  /** The processes to run (the profile's: `local.services`, or `local.shortServices` in `--short`). */
  services?: string[];
  /** 1-based repeat, recorded in the run. */
  repeat?: number;
}

/** Fails early, with what to do, when the apps the stack runs are not built. */
export function checkLocalPrerequisites(experiments: Experiment[]): void {
  const apps = new Set(
    experiments
      .flatMap((e) => [...(e.local?.services ?? []), ...(e.local?.shortServices ?? [])])
      .map((name) => DEFAULT_SERVICES.find((s) => s.name === name)?.app ?? name),
  );
  const missing = [...apps].filter((app) => !existsSync(join(REPO_ROOT, 'apps', app, 'dist', 'main.js')));
  if (missing.length) {
    throw new LabError(
      `the local stack cannot start: ${missing.map((a) => `apps/${a}/dist/main.js`).join(', ')} missing; build first: npx nx run-many -t build -p ${missing.join(' ')}`,
    );
  }
  for (const e of experiments) {
    for (const name of [...(e.local?.services ?? []), ...(e.local?.shortServices ?? [])]) {
      if (!DEFAULT_SERVICES.some((s) => s.name === name))
        throw new LabError(
          `experiment ${e.name}: no service ${name} in the local stack (tools/local-stack DEFAULT_SERVICES)`,
        );
    }
  }
}

/** Resolves when nothing listens on 127.0.0.1:port (so the stack's health checks cannot reach a stranger). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * How long an overload run's fresh stack streams at the calibrated rate before its reference (ms): the
 * warm-up's frames are counted in `reference.warmUp`, nowhere else.
 */
export const REFERENCE_WARM_UP_MS = 5_000;

export async function runLocalExperiment(
  experiment: Experiment,
  mode: LocalMode,
  plan: LoadPlan,
  options: LocalOptions,
): Promise<Run> {
  const local = experiment.local;
  if (!local)
    return {
      experiment: experiment.name,
      mode,
      ...(options.repeat ? { repeat: options.repeat } : {}),
      status: 'skipped',
      note: experiment.localSkipReason ?? 'no local form',
      events: [],
      metrics: {},
    };
  const names = options.services ?? local.services;

  const token = randomBytes(16).toString('hex');
  const services = withPortOffset(
    DEFAULT_SERVICES.filter((s) => names.includes(s.name)),
    options.portOffset,
  );
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    ...options.env,
    ...local.env,
    RESILIENCE: mode,
    ...(mode === 'client' ? local.clientEnv : {}),
    CHAOS_ADMIN_TOKEN: token,
  };
  const dataDir = mkdtempSync(join(tmpdir(), `lab-${experiment.name}-${mode}-`));
  const stack = new LocalStack({ services, dataDir, env, readyTimeoutMs: 60_000 });
  const events: RunEvent[] = [];
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const { CHAOS_ADMIN_TOKEN: _secret, ...own } = env;
  const recordedEnv = { ...inheritedSettings(process.env, own), ...own };
  const run: Run = {
    experiment: experiment.name,
    mode,
    ...(options.repeat ? { repeat: options.repeat } : {}),
    status: 'failed',
    startedAt,
    parameters: { load: plan, services: names, env: recordedEnv, fault: local.fault },
    events,
    metrics: {},
  };
  try {
    for (const s of services) {
      if (!(await portFree(s.port))) {
        throw new LabError(
          `the local stack cannot start: port ${s.port} (${s.name}) is in use, another stack may be running there; choose another --port-offset`,
        );
      }
    }
    options.log(`  starting ${names.join(' + ')} (RESILIENCE=${mode})`);
    // One more try when a process dies while starting: in a shared checkout another build may be
    // rewriting a dist/ folder at that moment (ERR_MODULE_NOT_FOUND). The retry is recorded.
    for (let attempt = 1; ; attempt++) {
      try {
        await stack.start();
        options.log(`  stack ready in ${Math.round(performance.now() - t0)} ms`);
        break;
      } catch (error) {
        for (const s of services) await stack.kill(s.name, 'SIGKILL').catch(() => undefined);
        if (attempt >= 2) throw new LabError(`the local stack did not start: ${(error as Error).message}`);
        run.note = `stack start retried after: ${(error as Error).message}`;
        options.log(`  ${run.note}`);
        await sleep(5_000);
      }
    }
    // a frames experiment measures a warm stack, as the calibration did (before any fault is set)
    if (experiment.kind === 'frames' && names.includes('collector'))
      await warmUp(stack.url('collector'), stack.credentials.keys['camera-agent'].privateKey);
    const fault = local.fault;
    // An overload run is paired with a run at the sustained rate on the same stack just before it:
    // the machine's speed drifts by more than 10 % within minutes (docs/performance.md, round 8),
    // so the calibration's rate is also compared with what this stack sustained a moment ago.
    if (experiment.kind === 'frames' && plan.overload && plan.sustainedRate && fault.kind === 'none') {
      // A fresh stack is still getting up to speed in its first seconds at the rate (the door grows from
      // its minimum, the latency falls): round 14's references refused their few frames all in their
      // first 5 s. The calibration's stack had run its ramp for minutes; this one runs REFERENCE_WARM_UP_MS
      // at the rate first, measured but not judged.
      const { step: warm } = await measureStep(
        stack,
        names,
        plan.sustainedRate,
        REFERENCE_WARM_UP_MS,
        `lab-${experiment.name}-${mode}${options.repeat ? `-${options.repeat}` : ''}-warm`,
      );
      // the calibration's own step and criterion, so "sustained" means the same in both places
      const { step, load: ref } = await measureStep(
        stack,
        names,
        plan.sustainedRate,
        plan.durationMs,
        `lab-${experiment.name}-${mode}${options.repeat ? `-${options.repeat}` : ''}-ref`,
      );
      run.reference = {
        rate: step.rate,
        durationMs: step.durationMs,
        sent: step.sent,
        acknowledged: step.ok,
        p99Ms: step.p99Ms,
        growthMs: step.growthMs ?? null,
        sustained: step.sustained,
        okPerSecond: ref.throughput.okRps,
        status: step.status,
        unacknowledgedPer5s: step.unacknowledgedPer5s,
        warmUp: { durationMs: warm.durationMs, sent: warm.sent, acknowledged: warm.ok },
      };
    }
    if (fault.kind === 'chaos') await setChaos(stack.url(fault.service), token, fault.settings);

    const loadStart = performance.now();
    const since = (t: number) => Math.round(t - loadStart);
    let faultDone: Promise<void> = Promise.resolve();
    let readyAtMs: number | undefined;
    if (fault.kind === 'kill') {
      faultDone = (async () => {
        await sleep(fault.atMs);
        await stack.kill(fault.service, 'SIGKILL');
        events.push({ atMs: since(performance.now()), what: `SIGKILL ${fault.service}` });
        await stack.revive(fault.service);
        readyAtMs = since(performance.now());
        events.push({ atMs: readyAtMs, what: `${fault.service} restarted and ready` });
      })();
    }
    const settle = async () => {
      // Calls the caller gave up on may still land (a delayed attempt): let them.
      const delay =
        fault.kind === 'chaos' ? (fault.settings.delayMs ?? 0) + (fault.settings.delayJitterMs ?? 0) * 3 : 0;
      await sleep(delay + 300);
    };
    const readDependency = async (): Promise<Run['dependency']> => {
      if (fault.kind !== 'chaos') return undefined;
      const state = await getChaos(stack.url(fault.service), token);
      await setChaos(stack.url(fault.service), token, null);
      return {
        service: fault.service,
        requests: state.injected.considered,
        injectedErrors: state.injected.errors,
        injectedDelays: state.injected.delays,
      };
    };

    if (local.request) {
      // A read load (e.g. cpanel reading a camera's state): what the caller saw, and what reached the faulty service.
      const load = await runLoad({
        url: `${stack.url(local.request.service)}${local.request.path}`,
        method: 'GET',
        rate: plan.rate,
        durationMs: plan.durationMs,
        timeoutMs: plan.timeoutMs,
      });
      await faultDone;
      await settle();
      const dependency = await readDependency();
      const sent = load.requests.intended;
      const metrics: Run['metrics'] = {
        successRate: sent > 0 ? load.requests.ok / sent : null,
        p50Ms: load.latencyMs.p50,
        p90Ms: load.latencyMs.p90,
        p99Ms: load.latencyMs.p99,
      };
      if (dependency) metrics.dependencyRequestsPerFrame = sent > 0 ? dependency.requests / sent : null;
      Object.assign(run, { status: 'ok', load, dependency, metrics, elapsedMs: Math.round(performance.now() - t0) });
      return run;
    }

    if (local.camera) {
      const cam = stack.url(local.camera.service);
      const maxFrames = Math.round((plan.rate * plan.durationMs) / 1000);
      const started = await fetch(`${cam}/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...stack.operatorHeaders },
        body: JSON.stringify({ fps: plan.rate, maxFrames }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!started.ok) throw new LabError(`POST ${cam}/stream: HTTP ${started.status} ${await started.text()}`);
      const deadline = performance.now() + plan.durationMs + 120_000;
      for (;;) {
        const state = (await (await fetch(`${cam}/state`)).json()) as { streaming: boolean };
        if (!state.streaming) break;
        if (performance.now() > deadline)
          throw new LabError(`${local.camera.service} still streaming after the deadline`);
        await sleep(200);
      }
      await faultDone;
      await settle();
      const counters = (await (await fetch(`${cam}/counters`)).json()) as {
        sent: number;
        acknowledged: number;
        failed: number;
        retries: number;
      };
      const dependency = await readDependency();
      const section = stack.url('section-1');
      const records = await storedRecords(section);
      const ours = records.filter((r) => r.cameraId === local.camera!.cameraId);
      const distinct = new Set(ours.map((r) => r.frameId)).size;
      const sent = counters.sent;
      const frames: FrameCounts = {
        sent,
        acknowledged: counters.acknowledged,
        stored: distinct,
        lost: sent - distinct,
        // The agent counts acknowledgements, not which frames: this is a lower bound of the acknowledged frames missing.
        ackedNotStored: Math.max(0, counters.acknowledged - distinct),
        storeRows: ours.length,
        storeDistinct: distinct,
        storeDuplicates: ours.length - distinct,
        duplicateDeliveries: counterValue(await metricsText(section), 'section_statistics_duplicates_total'),
        resent: 0,
        lostAfterResend: null,
        faces: facesOf(records, local.camera.cameraId),
      };
      const metrics: Run['metrics'] = {
        successRate: sent > 0 ? counters.acknowledged / sent : null,
        storedRate: sent > 0 ? distinct / sent : null,
        lostFrames: frames.lost,
        ackedNotStored: frames.ackedNotStored,
        storeDuplicates: frames.storeDuplicates,
        duplicateDeliveries: frames.duplicateDeliveries,
        facesCounted: frames.faces,
      };
      if (dependency) metrics.dependencyRequestsPerFrame = sent > 0 ? dependency.requests / sent : null;
      if (names.includes('alerts') && names.includes('face-recognition')) {
        const alerts = (await storedAlerts(stack.url('alerts'))).filter((a) => a.cameraId === local.camera!.cameraId);
        frames.alerts = new Set(alerts.map((a) => `${a.frameId}|${a.name}`)).size;
        frames.alertFramesSent = watchlistedFrames(sent);
        metrics.alertsRaised = frames.alerts;
        metrics.alertsRaisedRate = frames.alertFramesSent > 0 ? frames.alerts / frames.alertFramesSent : null;
      }
      events.push({
        atMs: 0,
        what: `${local.camera.service}: ${counters.retries} app-level retries, ${counters.failed} frames given up`,
      });
      Object.assign(run, { status: 'ok', frames, dependency, metrics, elapsedMs: Math.round(performance.now() - t0) });
      return run;
    }

    const collector = stack.url('collector');
    const cameraId = `lab-${experiment.name}-${mode}${options.repeat ? `-${options.repeat}` : ''}`;
    // The lab's load is a camera: it signs as one with the stack's camera-agent key (AUTH=app), for
    // the load and for the catch-up re-sends after it.
    const cameraAuth = {
      authorization: `Bearer ${await signCallerToken(stack.credentials.keys['camera-agent'].privateKey, cameraId, 'POST', '/frames', Math.ceil(plan.durationMs / 1000) + 600)}`,
    };
    // Which frames the camera saw acknowledged: the load generator reports every complete answer
    // by the frame's index, so the load goes straight to the collector, as in the calibration
    // (a recording proxy in the path cost the lab's process as much CPU again per frame, CPU the
    // pipeline on the same cores did not get: docs/performance.md, round 8).
    const acknowledged = new Set<number>();
    const cpuBefore = await cpuSeconds(stack, names);
    const load: LoadResult = await runLoad({
      url: `${collector}/frames`,
      method: 'POST',
      rate: plan.rate,
      durationMs: plan.durationMs,
      timeoutMs: plan.timeoutMs,
      headers: { 'content-type': 'application/json', ...cameraAuth },
      body: ({ index }) => frameBody(cameraId, index),
      onResponse: ({ index, status }) => {
        if (status >= 200 && status < 300) acknowledged.add(index);
      },
    });
    const cpuAfter = await cpuSeconds(stack, names);
    run.cpu = cpuCores(cpuBefore, cpuAfter);
    run.work = workDone(cpuBefore, cpuAfter);
    await faultDone;
    await settle();

    const sent = load.requests.intended;
    const dependency = await readDependency();
    const section = stack.url('section-1');
    const duplicateDeliveries = counterValue(await metricsText(section), 'section_statistics_duplicates_total');
    let records = await storedRecords(section);
    const frames = countFrames({ cameraId, sent, acknowledged, records, duplicateDeliveries });

    const metrics = frameMetrics(load, frames);
    if (plan.sustainedRate) metrics.goodputShare = frames.stored / (plan.durationMs / 1000) / plan.sustainedRate;
    if (run.reference) metrics.pairedGoodputShare = pairedGoodputShare(frames.stored, plan.durationMs, run.reference);
    if (dependency) metrics.dependencyRequestsPerFrame = sent > 0 ? dependency.requests / sent : null;
    if (fault.kind === 'kill') {
      metrics.tailSuccessRate =
        readyAtMs === undefined ? null : tailSuccessRate(acknowledged, sent, plan.rate, readyAtMs + 1_500);
      // The camera's catch-up: every unacknowledged frame once more, straight to the collector.
      const missing = Array.from({ length: sent }, (_, seq) => seq).filter((seq) => !acknowledged.has(seq));
      for (const seq of missing) await sendFrame(collector, cameraId, seq, undefined, cameraAuth);
      frames.resent = missing.length;
      records = await storedRecords(section);
      const after = countFrames({ cameraId, sent, acknowledged, records, duplicateDeliveries: null });
      frames.lostAfterResend = after.lost;
      frames.storeDuplicates = after.storeDuplicates;
      frames.storeRows = after.storeRows;
      frames.storeDistinct = after.storeDistinct;
      metrics.lostAfterResend = after.lost;
      metrics.storeDuplicates = after.storeDuplicates;
    }
    // Faces and alerts, from the real stores: the section's personCount per stored frame, the alerts service's rows.
    frames.faces = facesOf(records, cameraId);
    metrics.facesCounted = frames.faces;
    if (names.includes('alerts') && names.includes('face-recognition')) {
      const alerts = (await storedAlerts(stack.url('alerts'))).filter((a) => a.cameraId === cameraId);
      frames.alerts = new Set(alerts.map((a) => `${a.frameId}|${a.name}`)).size;
      frames.alertFramesSent = watchlistedFrames(sent);
      metrics.alertsRaised = frames.alerts;
      metrics.alertsRaisedRate = frames.alertFramesSent > 0 ? frames.alerts / frames.alertFramesSent : null;
    }
    Object.assign(run, {
      status: 'ok',
      load,
      frames,
      dependency,
      metrics,
      elapsedMs: Math.round(performance.now() - t0),
    });
    return run;
  } catch (error) {
    run.note = (error as Error).message;
    run.elapsedMs = Math.round(performance.now() - t0);
    throw Object.assign(error as Error, { run });
  } finally {
    // Everything is measured and the data folder is thrown away: no graceful drain (it takes ~15 s).
    for (const s of services) await stack.kill(s.name, 'SIGKILL').catch(() => undefined);
    // Keep the logs of a failed run (the error names them); a completed run leaves nothing behind.
    if (run.status === 'ok') rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Sum of the faces counted in this camera's stored frames (each frame once); null when none was analysed. */
function facesOf(records: StoredRecord[], cameraId: string): number | null {
  const byFrame = new Map<string, number | null | undefined>();
  for (const r of records) if (r.cameraId === cameraId) byFrame.set(r.frameId, r.personCount);
  const counted = [...byFrame.values()].filter((n): n is number => typeof n === 'number');
  return counted.length ? counted.reduce((a, b) => a + b, 0) : null;
}
