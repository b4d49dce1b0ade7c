import type { Bound, BoundResult, Comparison, MetricName, Run } from './types.js';

export function compare(actual: number, op: Comparison, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
  }
}

/** Each bound against the run's metrics; a metric that was not measured (null) does not hold. */
export function evaluate(bounds: Bound[], metrics: Run['metrics']): { bounds: BoundResult[]; held: boolean } {
  const results = bounds.map((b) => {
    const actual = metrics[b.metric] ?? null;
    return { ...b, actual, held: actual !== null && Number.isFinite(actual) && compare(actual, b.op, b.value) };
  });
  return { bounds: results, held: results.every((r) => r.held) };
}

const RATES: ReadonlySet<MetricName> = new Set([
  'successRate',
  'storedRate',
  'tailSuccessRate',
  'v2Share',
  'v2ShareCi95',
  'alertsRaisedRate',
  'rateLimitedShare',
]);

export function formatMetric(metric: MetricName, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (RATES.has(metric)) return `${(value * 100).toFixed(1)}%`;
  if (metric.endsWith('Ms')) return `${value.toFixed(value >= 100 ? 0 : 1)} ms`;
  if (metric === 'dependencyRequestsPerFrame') return value.toFixed(2);
  return String(value);
}

export function formatBound(b: Bound): string {
  return `${b.metric} ${b.op} ${formatMetric(b.metric, b.value)}`;
}
