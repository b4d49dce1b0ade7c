import hdr from 'hdr-histogram-js';

/**
 * A latency distribution in milliseconds, summarised from an HDR histogram (3 significant digits,
 * values recorded in microseconds). Every field is `null` when nothing was recorded.
 */
export interface LatencySummary {
  count: number;
  min: number | null;
  mean: number | null;
  stddev: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  p999: number | null;
  max: number | null;
}

const ms = (us: number): number => Math.round(us) / 1000;

/**
 * Records durations (ms, sub-millisecond resolution) into an HDR histogram in the pure-JS mode
 * (no WebAssembly). Percentiles are HDR's (the highest value equivalent to the bucket, so within
 * 0.1% above the true value), capped at the exact maximum so p99.9 never exceeds max.
 */
export class LatencyRecorder {
  private readonly histogram = hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  private sum = 0;
  private min = Infinity;

  /** Records one duration in milliseconds (negative values, from clock noise, count as 0). */
  record(durationMs: number): void {
    const us = Math.max(0, Math.round(durationMs * 1000));
    this.histogram.recordValue(us);
    this.sum += us;
    if (us < this.min) this.min = us;
  }

  /**
   * The histogram itself, HDR's compressed base64 encoding (values in microseconds): decode it with
   * `hdr.decodeFromCompressedBase64` to merge runs (add) or read any percentile later.
   */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.histogram);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** The value (ms) at a percentile in [0, 100]; `null` when empty. */
  percentile(p: number): number | null {
    if (this.count === 0) return null;
    return ms(Math.min(this.histogram.getValueAtPercentile(p), this.histogram.maxValue));
  }

  summary(): LatencySummary {
    const count = this.count;
    if (count === 0) {
      return { count, min: null, mean: null, stddev: null, p50: null, p90: null, p99: null, p999: null, max: null };
    }
    const h = this.histogram;
    return {
      count,
      min: ms(this.min),
      mean: ms(this.sum / count),
      stddev: ms(h.stdDeviation),
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      max: ms(h.maxValue),
    };
  }
}
