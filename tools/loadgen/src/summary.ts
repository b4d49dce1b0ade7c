import type { LatencySummary } from './histogram.js';
import type { LoadResult } from './types.js';
import { formatDuration } from './units.js';

const num = (v: number | null): string => (v === null ? '-' : v >= 100 ? v.toFixed(1) : v.toFixed(2));

function line(label: string, l: LatencySummary): string {
  if (l.count === 0) return `${label} -`;
  return `${label} p50 ${num(l.p50)}  p90 ${num(l.p90)}  p99 ${num(l.p99)}  p99.9 ${num(l.p999)}  max ${num(l.max)}  mean ${num(l.mean)}  (n=${l.count})`;
}

const counts = (record: Record<string, number>): string =>
  Object.entries(record)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');

/** A short human summary of a result (the JSON has everything). */
export function formatSummary(r: LoadResult): string {
  const c = r.config;
  const q = r.requests;
  const e = r.errors;
  const kinds = (['timeout', 'connectionRefused', 'connectionReset', 'other'] as const)
    .filter((k) => e[k] > 0)
    .map((k) => `${k} ${e[k]}`);
  const lines = [
    `loadgen ${r.target.method} ${r.target.url} at ${c.rate}/s for ${formatDuration(c.durationMs)}` +
      ` (timeout ${formatDuration(c.timeoutMs)}, max in flight ${c.maxInFlight}, overflow ${c.overflow})${r.aborted ? ' ABORTED' : ''}`,
    `requests   ${q.intended} intended, ${q.sent} sent, ${q.dropped} dropped, ${q.late} late (> ${c.lateThresholdMs} ms behind schedule)`,
    `responses  ${q.responses}${q.responses ? ` (${counts(r.status)})` : ''}; errors ${q.errors}${kinds.length ? ` (${kinds.join(', ')})` : ''}`,
    `throughput ${r.throughput.achievedRps}/s achieved (${r.throughput.okRps}/s 2xx) of ${r.throughput.intendedRps}/s intended, over ${formatDuration(r.throughput.windowMs)}`,
    line('latency ms (from intended start)', r.latencyMs),
    line('service ms (from actual send)   ', r.serviceTimeMs),
    line('send lag ms                     ', r.sendLagMs),
  ];
  return lines.join('\n') + '\n';
}
