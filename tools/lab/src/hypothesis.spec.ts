import { evaluate, formatBound, formatMetric } from './hypothesis.js';

describe('evaluate', () => {
  it('checks every bound against the metrics; an unmeasured metric does not hold', () => {
    const r = evaluate(
      [
        { metric: 'successRate', op: '>=', value: 0.99 },
        { metric: 'storeDuplicates', op: '==', value: 0 },
        { metric: 'p99Ms', op: '<', value: 100 },
      ],
      { successRate: 0.995, storeDuplicates: 0, p99Ms: null },
    );
    expect(r.bounds.map((b) => [b.metric, b.actual, b.held])).toEqual([
      ['successRate', 0.995, true],
      ['storeDuplicates', 0, true],
      ['p99Ms', null, false],
    ]);
    expect(r.held).toBe(false);
    expect(evaluate([{ metric: 'lostFrames', op: '>', value: 0 }], { lostFrames: 3 }).held).toBe(true);
    expect(evaluate([{ metric: 'lostFrames', op: '<=', value: 2 }], { lostFrames: 3 }).held).toBe(false);
  });

  it('formats rates as percentages and latencies in ms', () => {
    expect(formatMetric('successRate', 0.6833)).toBe('68.3%');
    expect(formatMetric('p99Ms', 1623.4)).toBe('1623 ms');
    expect(formatMetric('p50Ms', 9.96)).toBe('10.0 ms');
    expect(formatMetric('lostFrames', null)).toBe('–');
    expect(formatBound({ metric: 'storedRate', op: '>=', value: 0.99 })).toBe('storedRate >= 99.0%');
  });
});
