import { LatencyRecorder } from '@airport-mesh/loadgen';
import { mergeEncoded, mergeRuns, percentileDistribution, summarize } from './hdr.js';
import type { Run } from './types.js';

const recorded = (values: number[]) => {
  const r = new LatencyRecorder();
  for (const v of values) r.record(v);
  return r;
};
const run = (latencyHistogram?: string): Run =>
  ({
    experiment: 'x',
    mode: 'none',
    status: 'ok',
    events: [],
    metrics: {},
    load: { latencyHistogram },
  }) as unknown as Run;

describe('raw HDR histograms', () => {
  const fast = recorded(Array.from({ length: 900 }, (_, i) => 10 + (i % 10)));
  const slow = recorded(Array.from({ length: 100 }, (_, i) => 1000 + i));

  it('merge by adding: the merged percentiles are those of all values together', () => {
    const merged = mergeEncoded([fast.encode(), slow.encode()]);
    const all = recorded([
      ...Array.from({ length: 900 }, (_, i) => 10 + (i % 10)),
      ...Array.from({ length: 100 }, (_, i) => 1000 + i),
    ]);
    expect(merged.totalCount).toBe(1000);
    const s = summarize(merged);
    expect([s.count, s.p50, s.p90, s.p99]).toEqual([1000, all.percentile(50), all.percentile(90), all.percentile(99)]);
    // a merged histogram knows its maximum to HDR's precision (3 significant digits), not exactly
    expect(Math.abs(s.max - all.percentile(100)!) / all.percentile(100)!).toBeLessThan(0.001);
    expect(summarize(merged).p90).toBeLessThan(20);
    expect(summarize(merged).p99).toBeGreaterThan(1000);
  });

  it('the percentile distribution rises, stops where the count ends, and ends at the maximum', () => {
    const points = percentileDistribution(mergeEncoded([fast.encode(), slow.encode()]));
    for (let i = 1; i < points.length; i++) {
      expect(points[i].percentile).toBeGreaterThan(points[i - 1].percentile);
      expect(points[i].ms).toBeGreaterThanOrEqual(points[i - 1].ms);
    }
    expect(points[0]).toMatchObject({ percentile: 0, inverse: 1 });
    expect(points.at(-1)).toMatchObject({
      percentile: 100,
      ms: summarize(mergeEncoded([fast.encode(), slow.encode()])).max,
    });
    expect(Math.max(...points.slice(0, -1).map((p) => p.inverse))).toBeLessThanOrEqual(1000);
  });

  it('a merge of runs of which one has no histogram is null, not a partial merge', () => {
    expect(mergeRuns([run(fast.encode()), run(slow.encode())])!.totalCount).toBe(1000);
    expect(mergeRuns([run(fast.encode()), run(undefined)])).toBeNull();
    expect(mergeRuns([])).toBeNull();
  });
});
