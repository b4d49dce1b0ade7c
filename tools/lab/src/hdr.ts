/**
 * The raw latency histograms of the load generator (`LoadResult.latencyHistogram`: HDR's compressed
 * base64, values in microseconds): decoded, merged across runs (repeats, or a whole mode), and read as
 * a percentile distribution. A run written before the histogram existed has none: every function here
 * says so (`null`) instead of approximating it from the summary.
 */
import hdr from 'hdr-histogram-js';
import type { Run } from './types.js';

type Histogram = ReturnType<typeof hdr.build>;

export function decodeHistogram(base64: string): Histogram {
  return hdr.decodeFromCompressedBase64(base64, 32, false);
}

/** The encoded histogram of a run, or undefined when its result predates histograms (or it has no load). */
export function runHistogram(run: Run): string | undefined {
  return run.load?.latencyHistogram;
}

/**
 * The runs' histograms added into one; `null` when any run lacks one (a merge of some runs would pass for
 * all of them) or there is no run.
 */
export function mergeRuns(runs: Run[]): Histogram | null {
  if (runs.length === 0 || runs.some((r) => !runHistogram(r))) return null;
  return mergeEncoded(runs.map((r) => runHistogram(r)!));
}

export function mergeEncoded(encoded: string[]): Histogram {
  const merged = hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  for (const e of encoded) merged.add(decodeHistogram(e));
  return merged;
}

export interface PercentilePoint {
  /** The percentile, 0–100. */
  percentile: number;
  /** 1 / (1 − percentile/100): the x of an HDR percentile plot (log scale: 10 = 90%, 100 = 99%…). */
  inverse: number;
  /** Latency at that percentile, ms (capped at the maximum). */
  ms: number;
}

const msOf = (h: Histogram, p: number) => Math.round(Math.min(h.getValueAtPercentile(p), h.maxValue)) / 1000;

/**
 * HDR's percentile distribution: 4 points per halving of the remaining tail (50, 59.5, 67.8, 75, … like
 * `outputPercentileDistribution` with 4 ticks per half distance), as far as the count supports (no 99.99%
 * of 60 values), then the maximum.
 */
export function percentileDistribution(h: Histogram): PercentilePoint[] {
  const count = h.totalCount;
  if (count === 0) return [];
  const points: PercentilePoint[] = [];
  for (let k = 0; ; k++) {
    const tail = 2 ** (-k / 4);
    const inverse = 1 / tail;
    if (inverse > count) break;
    const percentile = 100 * (1 - tail);
    points.push({ percentile, inverse, ms: msOf(h, percentile) });
  }
  points.push({ percentile: 100, inverse: count, ms: msOf(h, 100) });
  return points;
}

/** p50/p90/p99/max and the count of a merged histogram, ms. */
export function summarize(h: Histogram): { count: number; p50: number; p90: number; p99: number; max: number } {
  return {
    count: h.totalCount,
    p50: msOf(h, 50),
    p90: msOf(h, 90),
    p99: msOf(h, 99),
    max: msOf(h, 100),
  };
}
