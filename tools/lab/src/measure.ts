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

/** Cores used per process between two readings (CPU seconds / wall seconds). */
export function cpuCores(
  before: { at: number; seconds: Record<string, number> },
  after: { at: number; seconds: Record<string, number> },
): NonNullable<Run['cpu']> {
  const wall = (after.at - before.at) / 1000;
  const cores: Record<string, number> = {};
  for (const [name, s] of Object.entries(after.seconds))
    if (name in before.seconds) cores[name] = Math.round(((s - before.seconds[name]) / wall) * 100) / 100;
  return { windowMs: Math.round(after.at - before.at), cores };
}
