/**
 * The adaptive door's rule (LatencyTargetLimit) in front of a queue: two workers, service times that
 * vary frame by frame (as frames with 1 to 6 faces do), requests arriving at a constant rate, time
 * simulated event by event. Against it the fixed door sized by Little's law for the same target.
 * The real door over HTTP is tested in apps/collector/test/frames.spec.ts.
 */
import { LatencyTargetLimit } from '../src/admission/latency-target-limit.js';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORKERS = 2;
/** ms of one worker per request: six kinds of frames, each ±30 %. Mean 135 ms, so capacity ≈ 14.8/s. */
const KINDS = [60, 90, 120, 150, 180, 210];
const CAPACITY = WORKERS / (KINDS.reduce((a, b) => a + b) / KINDS.length / 1000);
/** ms each request also spends inside the door but outside the workers (parsing, storing: not shared). */
const OUTSIDE_MS = 80;

interface Phase {
  /** requests per second */
  rate: number;
  seconds: number;
  /** service times are multiplied by this (a slow dependency) */
  slow?: number;
}
interface Outcome {
  phase: number;
  at: number;
  admitted: boolean;
  latencyMs?: number;
  /** admitted, then refused behind the door (the workers' queue was full) */
  failed?: boolean;
}
interface Downstream {
  /** requests the workers' own queue holds; one more is refused at once (as image-analysis sheds) */
  queueBound: number;
  /** whether the door is told that such an answer failed (false: it sees only a fast answer) */
  reportFailures: boolean;
}
/** ms from a refusal behind the door to the failed answer (a 502 at once) */
const FAIL_MS = 5;

/**
 * Offers `phases` of constant-rate load to two workers behind a door (`door()` = the limit now) and
 * returns every request's fate. `adaptive` is told what the platform's hook tells it.
 */
function simulate(
  phases: Phase[],
  door: () => number,
  adaptive?: LatencyTargetLimit,
  seed = 7,
  downstream?: Downstream,
): Outcome[] {
  const rnd = random(seed);
  const outcomes: Outcome[] = [];
  const queue: { at: number; work: number; outcome: Outcome }[] = [];
  const busy: { until: number; at: number; outcome: Outcome }[] = [];
  /** done with a worker, still being stored: leaves the door at `until` */
  const leaving: { until: number; at: number; outcome: Outcome; failed?: boolean }[] = [];
  let inFlight = 0;
  let start = 0;
  let n = 0;
  const finishUntil = (t: number) => {
    for (;;) {
      busy.sort((a, b) => a.until - b.until);
      leaving.sort((a, b) => a.until - b.until);
      const worker = busy[0]?.until ?? Infinity;
      const leave = leaving[0]?.until ?? Infinity;
      if (Math.min(worker, leave) > t || (!busy.length && !leaving.length)) return;
      if (worker <= leave) {
        const done = busy.shift()!;
        leaving.push({ ...done, until: done.until + OUTSIDE_MS });
        const waiting = queue.shift();
        if (waiting) busy.push({ until: done.until + waiting.work, at: waiting.at, outcome: waiting.outcome });
      } else {
        const done = leaving.shift()!;
        inFlight--;
        done.outcome.latencyMs = done.until - done.at;
        adaptive?.completed(done.at, done.until, Boolean(done.failed && downstream?.reportFailures));
      }
    }
  };
  phases.forEach((phase, p) => {
    const interval = 1000 / phase.rate;
    const count = Math.round(phase.seconds * phase.rate);
    for (let i = 0; i < count; i++) {
      const at = start + i * interval;
      finishUntil(at);
      const work = KINDS[n++ % KINDS.length] * (0.7 + 0.6 * rnd()) * (phase.slow ?? 1);
      const outcome: Outcome = { phase: p, at, admitted: false };
      outcomes.push(outcome);
      if (inFlight >= door()) {
        adaptive?.refused();
        continue;
      }
      outcome.admitted = true;
      inFlight++;
      adaptive?.admitted(inFlight);
      if (busy.length < WORKERS) busy.push({ until: at + work, at, outcome });
      else if (downstream && queue.length >= downstream.queueBound) {
        outcome.failed = true;
        leaving.push({ until: at + FAIL_MS, at, outcome, failed: true });
      } else queue.push({ at, work, outcome });
    }
    start += phase.seconds * 1000;
  });
  finishUntil(Infinity);
  return outcomes;
}

const TARGET_MS = 300;
const adaptiveDoor = () => {
  const limit = new LatencyTargetLimit({ targetMs: TARGET_MS, min: 2, max: 32 });
  return { limit, door: () => limit.limit };
};
/** The fixed door the lab sized before: throughput × the target, by Little's law. */
const fixedDoor = () => Math.round(CAPACITY * (TARGET_MS / 1000));

function summary(outcomes: Outcome[], phase: number, skipSeconds = 0) {
  const of = outcomes.filter((o) => o.phase === phase);
  const from = of[0].at + skipSeconds * 1000;
  const counted = of.filter((o) => o.at >= from);
  const admitted = counted.filter((o) => o.admitted);
  const latencies = admitted.map((o) => o.latencyMs!).sort((a, b) => a - b);
  const seconds = (of[of.length - 1].at - from) / 1000;
  return {
    refusedShare: 1 - admitted.length / counted.length,
    goodput: admitted.length / seconds,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
  };
}

describe('LatencyTargetLimit in front of two workers (simulated time)', () => {
  it('at 90 % of capacity it lets the bursts in, where the fixed door for the same target refuses some', () => {
    const phases = [{ rate: 0.9 * CAPACITY, seconds: 60 }];
    const { limit, door } = adaptiveDoor();
    const adaptive = summary(simulate(phases, door, limit), 0, 2);
    const fixed = summary(simulate(phases, fixedDoor), 0, 2);
    expect(adaptive.refusedShare).toBeLessThan(0.01);
    expect(fixed.refusedShare).toBeGreaterThan(adaptive.refusedShare + 0.02);
    expect(adaptive.goodput).toBeGreaterThan(0.88 * CAPACITY);
  });

  it('at 2 × capacity it keeps the workers busy and the admitted latency near its target', () => {
    const { limit, door } = adaptiveDoor();
    const outcomes = simulate([{ rate: 2 * CAPACITY, seconds: 60 }], door, limit);
    const s = summary(outcomes, 0, 2);
    expect(s.goodput).toBeGreaterThan(0.95 * CAPACITY);
    expect(s.refusedShare).toBeGreaterThan(0.4);
    expect(s.p50).toBeLessThan(1.5 * TARGET_MS);
    expect(s.p99).toBeLessThan(1000);
    // the limit it settles at is about what Little's law gives for the target
    expect(limit.limit).toBeGreaterThanOrEqual(2);
    expect(limit.limit).toBeLessThanOrEqual(2 * fixedDoor());
  });

  it('from the sustainable rate to 2 × and back: the onset stays under 1 s, and the bursts pass again after', () => {
    const { limit, door } = adaptiveDoor();
    const outcomes = simulate(
      [
        { rate: 0.9 * CAPACITY, seconds: 30 },
        { rate: 2 * CAPACITY, seconds: 30 },
        { rate: 0.9 * CAPACITY, seconds: 60 },
      ],
      door,
      limit,
    );
    const overload = summary(outcomes, 1);
    expect(overload.goodput).toBeGreaterThan(0.9 * CAPACITY);
    expect(overload.p99).toBeLessThan(1000);
    // the limit was cut during the overload; it grows back while the bursts fill it
    const after = summary(outcomes, 2, 10);
    expect(after.refusedShare).toBeLessThan(0.01);
  });

  it('a dependency ten times slower brings the limit down to its least', () => {
    const { limit, door } = adaptiveDoor();
    simulate(
      [
        { rate: 0.5 * CAPACITY, seconds: 10 },
        { rate: 0.5 * CAPACITY, seconds: 20, slow: 10 },
      ],
      door,
      limit,
    );
    expect(limit.limit).toBe(2);
  });

  it('at 2 × capacity behind a bounded queue, answers counted as failures keep the door within what the queue holds', () => {
    // the workers hold 4 waiting requests and refuse the next one at once (a fast failure), as
    // image-analysis refuses when its queue is full
    const run = (reportFailures: boolean) => {
      const { limit, door } = adaptiveDoor();
      const outcomes = simulate([{ rate: 2 * CAPACITY, seconds: 60 }], door, limit, 7, {
        queueBound: 4,
        reportFailures,
      });
      const counted = outcomes.filter((o) => o.at >= 2000);
      const admitted = counted.filter((o) => o.admitted);
      return {
        failedShareOfAdmitted: admitted.filter((o) => o.failed).length / admitted.length,
        goodput: admitted.filter((o) => !o.failed).length / 58,
      };
    };
    const told = run(true);
    const blind = run(false);
    // seen only as fast answers, the refusals pull the window's median down and the door lets in more
    // than the queue holds: 8 % of what it admits fails (the same goodput, since a failure costs nothing here)
    expect(blind.failedShareOfAdmitted).toBeGreaterThan(0.05);
    // counted as failures, they hold and cut the door: a quarter as many admitted requests fail
    expect(told.failedShareOfAdmitted).toBeLessThan(blind.failedShareOfAdmitted / 3);
    expect(told.goodput).toBeGreaterThan(0.95 * CAPACITY);
  });

  it('a window with a failed answer never grows the limit; a window mostly failed cuts it', () => {
    const limit = new LatencyTargetLimit({ targetMs: 300, min: 2, max: 32, initial: 8 });
    // full door, fast answers, one of three failed: held
    for (let i = 0; i < 8; i++) limit.admitted(i + 1);
    expect(limit.completed(0, 10)).toBeUndefined();
    expect(limit.completed(0, 20, true)).toBeUndefined();
    expect(limit.completed(0, 260)).toBeUndefined();
    expect(limit.limit).toBe(8);
    // the same window without a failure grows it
    limit.admitted(8);
    limit.completed(300, 310);
    limit.completed(300, 320);
    expect(limit.completed(300, 560)).toBe(10);
    // two of three failed (fast): cut by the largest cut, half
    expect(limit.completed(600, 605, true)).toBeUndefined();
    expect(limit.completed(600, 606, true)).toBeUndefined();
    expect(limit.completed(600, 900)).toBe(5);
  });

  it('refuses nonsense options', () => {
    expect(() => new LatencyTargetLimit({ targetMs: 0, min: 1, max: 2 })).toThrow(RangeError);
    expect(() => new LatencyTargetLimit({ targetMs: 100, min: 3, max: 2 })).toThrow(RangeError);
  });
});
