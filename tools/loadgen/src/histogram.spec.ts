import hdr from 'hdr-histogram-js';
import { LatencyRecorder } from './histogram.js';

/** Nearest-rank percentile of raw values, the definition HDR approximates (0.999 × 10000 is 9990.000000000002 in floating point). */
function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9)) - 1];
}

describe('LatencyRecorder', () => {
  it('is all nulls when empty', () => {
    expect(new LatencyRecorder().summary()).toEqual({
      count: 0,
      min: null,
      mean: null,
      stddev: null,
      p50: null,
      p90: null,
      p99: null,
      p999: null,
      max: null,
    });
  });

  it('gives percentiles within 0.1% of the exact ones (3 significant digits), never below them', () => {
    // A skewed distribution: mostly ~20 ms, a tail out to ~2 s.
    const values: number[] = [];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 10_000; i++) values.push(20 + random() * 5 + (i % 100 === 0 ? random() * 2_000 : 0));
    const recorder = new LatencyRecorder();
    for (const v of values) recorder.record(v);
    const s = recorder.summary();
    expect(s.count).toBe(10_000);
    for (const [p, got] of [
      [50, s.p50],
      [90, s.p90],
      [99, s.p99],
      [99.9, s.p999],
    ] as const) {
      const want = exact(values, p);
      expect(got!).toBeGreaterThanOrEqual(Math.round(want * 1000) / 1000 - 0.001);
      expect(Math.abs(got! - want) / want).toBeLessThan(0.001);
    }
    expect(s.max).toBeCloseTo(Math.max(...values), 3);
    expect(s.min).toBeCloseTo(Math.min(...values), 3);
    expect(s.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 2);
    expect(s.p999!).toBeLessThanOrEqual(s.max!);
  });

  it('keeps sub-millisecond resolution and counts negative clock noise as 0', () => {
    const r = new LatencyRecorder();
    r.record(0.25);
    r.record(-0.01);
    expect(r.summary()).toMatchObject({ count: 2, min: 0, max: 0.25 });
  });

  it('encodes its histogram so that a decoded copy gives the same percentiles, and two merge by adding', () => {
    const a = new LatencyRecorder();
    const b = new LatencyRecorder();
    for (let i = 1; i <= 100; i++) a.record(i);
    for (let i = 1; i <= 100; i++) b.record(1000 + i);
    const decoded = hdr.decodeFromCompressedBase64(a.encode(), 32, false);
    expect(decoded.totalCount).toBe(100);
    expect(decoded.getValueAtPercentile(50) / 1000).toBeCloseTo(a.percentile(50)!, 1);
    // A decoded histogram has a fixed range: merge into one that resizes.
    const merged = hdr.build({ bitBucketSize: 32, autoResize: true, useWebAssembly: false });
    merged.add(decoded);
    merged.add(hdr.decodeFromCompressedBase64(b.encode(), 32, false));
    expect(merged.totalCount).toBe(200);
    expect(merged.getValueAtPercentile(50) / 1000).toBeCloseTo(100, 0);
    expect(Math.abs(merged.maxValue / 1000 - 1100) / 1100).toBeLessThan(0.001); // HDR precision
  });
});
