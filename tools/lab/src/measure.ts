import type { LoadResult } from '@airport-mesh/loadgen';
import type { StoredRecord } from './http.js';
import type { FrameCounts, Run } from './types.js';

/** The frame ids `cameraId:seq` the lab sent (seq = the load generator's request index). */
export function frameIdOf(cameraId: string, seq: number): string {
  return `${cameraId}:${seq}`;
}

export interface FrameEvidence {
  cameraId: string;
  /** Requests the load generator scheduled (seq 0 … sent-1; dropped ones count as sent and failed). */
  sent: number;
  acknowledged: Set<number>;
  /** Every record in the section's store (all cameras). */
  records: StoredRecord[];
  duplicateDeliveries: number | null;
}

export function countFrames(e: FrameEvidence): FrameCounts {
  const ours = e.records.filter((r) => r.cameraId === e.cameraId);
  const distinct = new Set(ours.map((r) => r.frameId));
  let stored = 0;
  for (let seq = 0; seq < e.sent; seq++) if (distinct.has(frameIdOf(e.cameraId, seq))) stored++;
  let ackedNotStored = 0;
  for (const seq of e.acknowledged) if (!distinct.has(frameIdOf(e.cameraId, seq))) ackedNotStored++;
  return {
    sent: e.sent,
    acknowledged: e.acknowledged.size,
    stored,
    lost: e.sent - stored,
    ackedNotStored,
    storeRows: ours.length,
    storeDistinct: distinct.size,
    storeDuplicates: ours.length - distinct.size,
    duplicateDeliveries: e.duplicateDeliveries,
    resent: 0,
    lostAfterResend: null,
  };
}

const rate = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/** The metrics of a frames run (see METRICS in types.ts). */
export function frameMetrics(load: LoadResult, frames: FrameCounts): Run['metrics'] {
  return {
    successRate: rate(load.requests.ok, load.requests.intended),
    storedRate: rate(frames.stored, frames.sent),
    lostFrames: frames.lost,
    ackedNotStored: frames.ackedNotStored,
    storeDuplicates: frames.storeDuplicates,
    duplicateDeliveries: frames.duplicateDeliveries,
    p50Ms: load.latencyMs.p50,
    p90Ms: load.latencyMs.p90,
    p99Ms: load.latencyMs.p99,
    acceptedP99Ms: load.okLatencyMs?.p99 ?? null,
    lostAfterResend: frames.lostAfterResend,
  };
}

/**
 * Success rate of the frames due at or after `fromMs` (ms after the load's first intended start):
 * how the system does once a killed process is back.
 */
export function tailSuccessRate(acknowledged: Set<number>, sent: number, rps: number, fromMs: number): number | null {
  let due = 0;
  let ok = 0;
  for (let seq = 0; seq < sent; seq++) {
    if ((seq * 1000) / rps < fromMs) continue;
    due++;
    if (acknowledged.has(seq)) ok++;
  }
  return rate(ok, due);
}

/**
 * Frames stored per second under an overload, against the rate the same stack sustained just before:
 * the calibrated rate if a run at it met the calibration's criterion again, else what that run
 * acknowledged per second over its whole length, drain included (never more than the rate).
 */
export function pairedGoodputShare(
  stored: number,
  durationMs: number,
  reference: { rate: number; sustained: boolean; okPerSecond: number },
): number | null {
  const sustainedNow = reference.sustained ? reference.rate : Math.min(reference.rate, reference.okPerSecond);
  return sustainedNow > 0 ? stored / (durationMs / 1000) / sustainedNow : null;
}

/** How much each WORK_COUNTERS counter grew between two readings (absent where a service was not read). */
export function workDone(
  before: { counts?: Record<string, number> },
  after: { counts?: Record<string, number> },
): Record<string, number> {
  const work: Record<string, number> = {};
  for (const [key, n] of Object.entries(after.counts ?? {}))
    if (before.counts && key in before.counts) work[key] = n - before.counts[key];
  return work;
}

/**
 * Cores used per process between two readings (CPU seconds / wall seconds), and where the machine was
 * read too, its cores busy in all (`machine.busy`), busy in processes other than these (`machine.others`:
 * a neighbour on the same machine) and stolen by the hypervisor (`machine.steal`).
 */
export function cpuCores(
  before: { at: number; seconds: Record<string, number>; machine?: { busy: number; steal: number } },
  after: { at: number; seconds: Record<string, number>; machine?: { busy: number; steal: number } },
): NonNullable<Run['cpu']> {
  const wall = (after.at - before.at) / 1000;
  const round = (v: number) => Math.round(v * 100) / 100;
  const cores: Record<string, number> = {};
  let ours = 0;
  for (const [name, s] of Object.entries(after.seconds))
    if (name in before.seconds) {
      cores[name] = round((s - before.seconds[name]) / wall);
      ours += (s - before.seconds[name]) / wall;
    }
  const cpu: NonNullable<Run['cpu']> = { windowMs: Math.round(after.at - before.at), cores };
  if (before.machine && after.machine) {
    const busy = (after.machine.busy - before.machine.busy) / wall;
    cpu.machine = {
      busy: round(busy),
      others: round(Math.max(0, busy - ours)),
      steal: round((after.machine.steal - before.machine.steal) / wall),
    };
  }
  return cpu;
}
