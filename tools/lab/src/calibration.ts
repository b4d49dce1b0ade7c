/**
 * Calibration: before the full profile's experiments, a short ramp on the whole pipeline without a
 * fault finds the highest frame rate this machine sustains (every step's success ≥ 99%, p99 under a
 * bound, and no growing backlog); the experiments then run at about half of it, so the fault, not the
 * CPU, decides the outcome, and an overload experiment offers a multiple of it.
 * The ramp, its criterion and the chosen rate are recorded in result.json and the report.
 *
 * A step above the pipeline's capacity can still pass on success and p99 when it is short: the queues
 * absorb it and the latency only grows (at λ > μ by (λ − μ)/μ seconds per second). With 6 s steps the
 * ramp called 16 frames/s sustained on a machine that stored 13 frames/s under overload. So a step also
 * fails when its latency grows: the median latency of its last quarter may exceed that of its first
 * quarter by at most `maxGrowthMs`.
 *
 * Even so, a 10 s step at the edge can pass where the same stack, held longer, does not: in round 13 the
 * ramp called 23 frames/s sustained and every overload run's 20 s reference at 23/s then had 11–25 % of
 * its frames refused at the door. So the ramp's best rate is confirmed: held for `confirmMs` (as long as
 * a reference), and if it fails, the rate that step acknowledged per second is confirmed next (at least
 * one frame/s lower), up to MAX_CONFIRMATIONS steps. The sustained rate is the first one confirmed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { signCallerToken } from '@airport-mesh/platform/keys';
import { runLoad, type LoadResult, type TimelineBucket } from '@airport-mesh/loadgen';
import { DEFAULT_SERVICES, LocalStack, withPortOffset } from '@airport-mesh/local-stack';
import { cpuSeconds, frameBody, LabError, warmUp } from './http.js';
import { cpuCores } from './measure.js';
import { median, notAcknowledgedWhen } from './repeats.js';
import type { Calibration, CalibrationStep, LocalMode } from './types.js';

export interface CalibrationOptions {
  services: string[];
  portOffset: number;
  log: (line: string) => void;
  /**
   * The rates to try, ascending (frames/s); after the first step that fails, the integer rates between the
   * highest sustained one and the lowest failed one are tried upwards until one fails (see `nextRate`).
   */
  rates?: number[];
  stepMs?: number;
  minSuccessRate?: number;
  maxP99Ms?: number;
  /** Largest growth of the median latency from the first to the last quarter of a step, ms. */
  maxGrowthMs?: number;
  /** How long a confirmation step holds its rate (default DEFAULT_CONFIRM_MS, as long as a reference). */
  confirmMs?: number;
  fraction?: number;
  /**
   * Service environment of the calibration's stack on top of the lab's own: the configuration the
   * overload experiment runs (its collector door), so that the rate it offers twice over is one that
   * configuration sustains (runLab passes the overload experiment's `local.env`).
   */
  env?: Record<string, string>;
}

/** The experiments run at this share of the sustained rate (unless `fraction` says otherwise). */
export const EXPERIMENT_FRACTION = 0.5;

export const DEFAULT_RAMP = [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 24, 28, 32];
export const DEFAULT_STEP_MS = 10_000;
/** A confirmation step lasts as long as an overload run's reference at the calibrated rate. */
export const DEFAULT_CONFIRM_MS = 20_000;
/** Confirmation steps at most; if none holds, the calibration fails (the machine is not steady enough). */
export const MAX_CONFIRMATIONS = 4;

/**
 * The rate to confirm after a confirmation step failed: the frames per second it acknowledged, rounded
 * down, and at least one frame/s below its own rate (0: nothing left to try).
 */
export function lowerRate(step: Pick<CalibrationStep, 'rate' | 'ok' | 'sent'>): number {
  const acknowledged = step.sent > 0 ? Math.floor((step.rate * step.ok) / step.sent) : 0;
  return Math.max(0, Math.min(step.rate - 1, acknowledged));
}
/**
 * Largest growth of a step's median latency (last quarter − first quarter) that still counts as no
 * growing backlog. 250 ms until round 9; once frames got cheaper it passed the edge of saturation:
 * 20 and 21 frames/s with +233 and +133 ms (p99 488 and 369 ms), where the clearly sustained steps of
 * all fifteen calibrations of rounds 7–9 grew −52 to +59 ms (docs/lab.md, "Calibration").
 */
export const DEFAULT_MAX_GROWTH_MS = 100;

/** The experiments' rate for a sustained rate: `fraction` of it, rounded, at least 1 frame/s. */
export function experimentRateFor(sustainedRate: number, fraction: number): number {
  return Math.max(1, Math.round(sustainedRate * fraction));
}

/** The calibration's criterion unless its options say otherwise: success ≥ 99 %, p99 < 1 s, latency growth ≤ 100 ms. */
export const DEFAULT_CRITERION = { minSuccessRate: 0.99, maxP99Ms: 1_000, maxGrowthMs: DEFAULT_MAX_GROWTH_MS };

/** Whether a step met the criterion. */
export function sustained(
  step: Pick<CalibrationStep, 'successRate' | 'p99Ms' | 'growthMs'>,
  criterion: { minSuccessRate: number; maxP99Ms: number; maxGrowthMs: number },
): boolean {
  return (
    step.successRate !== null &&
    step.successRate >= criterion.minSuccessRate &&
    step.p99Ms !== null &&
    step.p99Ms < criterion.maxP99Ms &&
    (step.growthMs ?? 0) <= criterion.maxGrowthMs
  );
}

/**
 * How much the latency grew during a step: the median of the per-second median latencies of its last
 * quarter minus that of its first quarter (at least one second each), ms; null with fewer than two
 * seconds that have answers.
 */
export function latencyGrowthMs(timeline: Pick<TimelineBucket, 'p50Ms'>[]): number | null {
  const p50 = timeline.map((b) => b.p50Ms).filter((v): v is number => typeof v === 'number');
  if (p50.length < 2) return null;
  const q = Math.max(1, Math.floor(p50.length / 4));
  return median(p50.slice(-q)) - median(p50.slice(0, q));
}

/**
 * Frames not acknowledged (any answer but a 2xx, or none) in each `sliceMs` of a step, from its per-second
 * timeline: where in the step they were refused tells a slow start from a machine that slowed down.
 */
export function unacknowledgedPer(
  timeline: Pick<TimelineBucket, 'startMs' | 'intended' | 'ok'>[],
  sliceMs = 5_000,
): number[] {
  const slices: number[] = [];
  for (const b of timeline) {
    const i = Math.floor(b.startMs / sliceMs);
    while (slices.length <= i) slices.push(0);
    slices[i] += b.intended - b.ok;
  }
  return slices;
}

/**
 * The next rate of the ramp, or undefined when it is over: the ramp's rates upwards while every step is
 * sustained; after a failure, one frame/s above the highest sustained rate while that is below the lowest
 * failed one (the ramp's coarse steps near the top, 2–4 frames/s, are ±15–25 % of the result).
 */
export function nextRate(rates: number[], steps: Pick<CalibrationStep, 'rate' | 'sustained'>[]): number | undefined {
  const failed = steps.filter((s) => !s.sustained).map((s) => s.rate);
  if (!failed.length) return rates.find((r) => r > (steps.at(-1)?.rate ?? 0));
  const best = Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.rate));
  if (best === 0) return undefined;
  const candidate = Math.floor(best) + 1;
  return candidate < Math.min(...failed) ? candidate : undefined;
}

/**
 * One step at a constant rate on a running stack: frames of camera `cameraId` straight to the
 * collector (signed as the stack's camera-agent), the cores each process used, and whether the step
 * met `criterion`. The calibration's ramp is made of these; an overload run's reference is one.
 */
export async function measureStep(
  stack: LocalStack,
  services: string[],
  rate: number,
  durationMs: number,
  cameraId: string,
  criterion: typeof DEFAULT_CRITERION = DEFAULT_CRITERION,
): Promise<{ step: CalibrationStep; load: LoadResult }> {
  const auth = await signCallerToken(
    stack.credentials.keys['camera-agent'].privateKey,
    cameraId,
    'POST',
    '/frames',
    Math.ceil(durationMs / 1000) + 120,
  );
  const cpuBefore = await cpuSeconds(stack, services);
  const load = await runLoad({
    url: `${stack.url('collector')}/frames`,
    method: 'POST',
    rate,
    durationMs,
    timeoutMs: 10_000,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
    body: ({ index }) => frameBody(cameraId, index),
  });
  const sent = load.requests.intended;
  const cpu = cpuCores(cpuBefore, await cpuSeconds(stack, services));
  const step: CalibrationStep = {
    rate,
    durationMs,
    sent,
    ok: load.requests.ok,
    successRate: sent > 0 ? load.requests.ok / sent : null,
    p99Ms: load.latencyMs.p99,
    growthMs: latencyGrowthMs(load.timeline),
    unacknowledgedPer5s: unacknowledgedPer(load.timeline),
    cores: cpu.cores,
    ...(cpu.machine && { machine: cpu.machine }),
    status: load.status,
    sustained: false,
  };
  step.sustained = sustained(step, criterion);
  return { step, load };
}

export async function calibrate(options: CalibrationOptions): Promise<Calibration> {
  const rates = options.rates ?? DEFAULT_RAMP;
  const stepMs = options.stepMs ?? DEFAULT_STEP_MS;
  const confirmMs = options.confirmMs ?? DEFAULT_CONFIRM_MS;
  const criterion = {
    minSuccessRate: options.minSuccessRate ?? DEFAULT_CRITERION.minSuccessRate,
    maxP99Ms: options.maxP99Ms ?? DEFAULT_CRITERION.maxP99Ms,
    maxGrowthMs: options.maxGrowthMs ?? DEFAULT_CRITERION.maxGrowthMs,
  };
  const fraction = options.fraction ?? EXPERIMENT_FRACTION;
  const mode: LocalMode = 'none';
  const services = withPortOffset(
    DEFAULT_SERVICES.filter((s) => options.services.includes(s.name)),
    options.portOffset,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'lab-calibration-'));
  const stack = new LocalStack({
    services,
    dataDir,
    env: {
      ...options.env,
      LOG_LEVEL: 'warn',
      RESILIENCE: mode,
      CHAOS_ADMIN_TOKEN: randomBytes(16).toString('hex'),
    },
    readyTimeoutMs: 60_000,
  });
  const t0 = performance.now();
  const steps: CalibrationStep[] = [];
  let ok = false;
  try {
    const env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    options.log(`calibration: starting ${options.services.join(' + ')}${env.length ? ` with ${env.join(' ')}` : ''}`);
    await stack.start();
    const collector = stack.url('collector');
    // The first frames are slower (JIT, the models' first inferences): they are not part of any step.
    await warmUp(collector, stack.credentials.keys['camera-agent'].privateKey);
    for (let rate = nextRate(rates, steps); rate !== undefined; rate = nextRate(rates, steps)) {
      const { step } = await measureStep(stack, options.services, rate, stepMs, `lab-calibration-${rate}`, criterion);
      steps.push(step);
      options.log(
        `  ${rate} frames/s: ${step.ok}/${step.sent} ok, p99 ${step.p99Ms === null ? '–' : Math.round(step.p99Ms)} ms, ` +
          `latency growth ${step.growthMs === null || step.growthMs === undefined ? '–' : Math.round(step.growthMs)} ms` +
          `${step.ok < step.sent ? ` (${notAcknowledgedWhen(step)})` : ''} → ${step.sustained ? 'sustained' : 'not sustained'}`,
      );
      await sleep(step.sustained ? 1_000 : 5_000); // let the queue drain before the next step
    }
    const ramp = steps.filter((s) => s.sustained).reduce((a, s) => Math.max(a, s.rate), 0);
    for (let rate = ramp, n = 0; rate >= 1 && n < MAX_CONFIRMATIONS; n++) {
      await sleep(5_000);
      const { step } = await measureStep(
        stack,
        options.services,
        rate,
        confirmMs,
        `lab-calibration-confirm-${rate}`,
        criterion,
      );
      step.confirmation = true;
      steps.push(step);
      options.log(
        `  confirming ${rate} frames/s for ${confirmMs / 1000} s: ${step.ok}/${step.sent} ok, p99 ${step.p99Ms === null ? '–' : Math.round(step.p99Ms)} ms` +
          `${step.ok < step.sent ? ` (${notAcknowledgedWhen(step)})` : ''} → ${step.sustained ? 'confirmed' : 'not confirmed'}`,
      );
      if (step.sustained) break;
      rate = lowerRate(step);
    }
    ok = true;
  } catch (error) {
    throw new LabError(`calibration failed: ${(error as Error).message}`);
  } finally {
    for (const s of services) await stack.kill(s.name, 'SIGKILL').catch(() => undefined);
    if (ok) rmSync(dataDir, { recursive: true, force: true });
  }
  const best = steps.find((s) => s.confirmation && s.sustained);
  if (!best)
    throw new LabError(
      steps.some((s) => s.sustained)
        ? `calibration: no rate held for ${confirmMs / 1000} s after the ramp (${steps
            .filter((s) => s.confirmation)
            .map((s) => `${s.rate}/s: ${s.ok}/${s.sent}`)
            .join(', ')}): the machine is not steady enough to calibrate`
        : `calibration: this machine did not sustain even ${rates[0]} frame/s through ${options.services.join(' + ')} (success ≥ ${criterion.minSuccessRate * 100}%, p99 < ${criterion.maxP99Ms} ms, latency growth ≤ ${criterion.maxGrowthMs} ms)`,
    );
  const experimentRate = experimentRateFor(best.rate, fraction);
  options.log(`calibration: sustained ${best.rate} frames/s; experiments at ${experimentRate} frames/s`);
  return {
    services: options.services,
    mode,
    ...(options.env && Object.keys(options.env).length ? { env: options.env } : {}),
    criterion,
    steps,
    sustainedRate: best.rate,
    fraction,
    experimentRate,
    elapsedMs: Math.round(performance.now() - t0),
  };
}
