// An adaptive door: the number of requests handled at once follows the latency they get, instead of a
// number sized beforehand for one machine and one rate.
//
// A fixed door sized by Little's law (throughput × the mean latency accepted) refuses bursts at the
// very rate it was sized for: in-flight is only on average that number (docs/performance.md, round 8:
// 13 % of frames refused at the calibrated rate). This limit tells a burst from overload by time, as
// CoDel and Netflix's gradient limits do: it is cut only when a whole window of answers was slower than
// the target, and it grows while it was the bottleneck and the answers were fast. A window only counts
// requests admitted under the current limit, so answers that waited in the queue of an older, larger
// limit do not cut it twice. Under sustained overload it settles where the window's median latency is
// the target, which is the Little's-law door for the throughput of that moment; at the sustainable rate
// it grows above the bursts.
//
// An answer that failed (a 5xx: a dependency refused or did not answer) counts as slower than any target,
// and a window with a failure never grows the limit. A shed request comes back fast, so counted by its
// latency it would make an overloaded pipeline look healthy, and the door would grow just when the
// service behind it starts refusing (docs/performance.md, round 12: in one lab run 429 of 760 frames were
// answered 502 because the analyser's queue was full). Counted as failures, they cut the limit as a
// standing queue does, the way loss does in TCP's AIMD.

export interface LatencyTargetOptions {
  /** The median latency the door aims at under overload, ms. */
  targetMs: number;
  /** The limit never goes below this (e.g. what the service's own workers take at once). */
  min: number;
  /** ...nor above this (the fixed door's bound on the backlog). */
  max: number;
  /** The limit is reconsidered at most this often, ms. Default 250. */
  windowMs?: number;
  /** ...and only once this many answers were seen since the last change. Default 3. */
  minSamples?: number;
  /** Largest cut in one window (0.5 = halve at most). Default 0.5. */
  maxCut?: number;
  /** Largest growth in one window (1.25 = +25 % at most, at least +1). Default 1.25. */
  maxGrowth?: number;
  /** The limit to start from. Default `min`: it grows within a few windows while it is the bottleneck. */
  initial?: number;
}

export class LatencyTargetLimit {
  private value: number;
  private readonly windowMs: number;
  private readonly minSamples: number;
  private readonly maxCut: number;
  private readonly maxGrowth: number;
  private samples: number[] = [];
  /** Answers in this window that failed. */
  private failures = 0;
  private windowStart: number | undefined;
  /** Whether the limit was reached (an admission filled it, or a request was refused) in this window. */
  private binding = false;
  /** When the limit last changed (ms, the clock `completed` is given). */
  private changedAt = -Infinity;

  constructor(private readonly options: LatencyTargetOptions) {
    if (!(options.targetMs > 0)) throw new RangeError('targetMs must be > 0');
    if (!(options.min >= 1 && options.max >= options.min)) throw new RangeError('need 1 ≤ min ≤ max');
    this.windowMs = options.windowMs ?? 250;
    this.minSamples = options.minSamples ?? 3;
    this.maxCut = options.maxCut ?? 0.5;
    this.maxGrowth = options.maxGrowth ?? 1.25;
    this.value = Math.min(options.max, Math.max(options.min, options.initial ?? options.min));
  }

  /** Requests that may be handled at once now. */
  get limit(): number {
    return Math.floor(this.value);
  }

  /** A request was admitted; `inFlight` counts it. */
  admitted(inFlight: number): void {
    if (inFlight >= this.limit) this.binding = true;
  }

  /** A request was refused because the limit was reached. */
  refused(): void {
    this.binding = true;
  }

  /**
   * A request admitted at `admittedAt` has finished at `now` (ms, one monotonic clock); `failed` when its
   * answer was a failure of the pipeline behind the door (a 5xx). Returns the new limit when this answer
   * closed a window that changed it.
   */
  completed(admittedAt: number, now: number, failed = false): number | undefined {
    // it waited behind the requests an earlier limit let in: it says nothing about this one
    if (admittedAt < this.changedAt) return undefined;
    const latencyMs = failed ? Infinity : now - admittedAt;
    this.windowStart ??= now;
    this.samples.push(latencyMs);
    if (failed) this.failures++;
    if (now - this.windowStart < this.windowMs || this.samples.length < this.minSamples) return undefined;
    const median = medianOf(this.samples);
    const before = this.limit;
    const { targetMs, min, max } = this.options;
    if (median > targetMs) {
      // a whole window slower than the target (a standing queue) or mostly failed: cut in proportion
      this.value = Math.max(min, this.value * Math.max(this.maxCut, targetMs / median));
    } else if (this.binding && !this.failures) {
      // the door was the bottleneck and answers were fast, none failed: room to grow, more the faster they were
      const factor = Math.min(this.maxGrowth, targetMs / Math.max(median, 1));
      this.value = Math.min(max, Math.max(this.value + 1, this.value * factor));
    }
    this.samples = [];
    this.failures = 0;
    this.windowStart = now;
    this.binding = false;
    if (this.limit === before) return undefined;
    this.changedAt = now;
    this.windowStart = undefined;
    return this.limit;
  }
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
