/**
 * Repeats: each experiment × mode runs `--repeats` times; per metric the median and the spread
 * (min–max), and the hypothesis holds only if it held in every run (else: in how many).
 */
import type { CalibrationStep, LabResult, MetricName, MetricSpread, Run, RunSummary } from './types.js';

/** Answers by HTTP status as the reports print them (`201: 291, 503: 40`), optionally without the 2xx. */
export function statusList(status: Record<string, number>, withoutOk = false): string {
  return Object.entries(status)
    .filter(([code]) => !withoutOk || !code.startsWith('2'))
    .map(([code, n]) => `${code}: ${n}`)
    .join(', ');
}

/**
 * The answers of a step other than 2xx, by status, and the frames left without an answer: a door's 503
 * (refused before parsing) reads differently from a 502 (a failure behind it) or a timeout.
 */
export function notAcknowledged(step: Pick<CalibrationStep, 'sent' | 'ok' | 'status'>): string {
  if (!step.status) return `${step.sent - step.ok} not acknowledged`; // results from before `status`
  const answered = Object.values(step.status).reduce((a, b) => a + b, 0);
  const parts = [statusList(step.status, true), step.sent > answered ? `no answer: ${step.sent - answered}` : '']
    .filter(Boolean)
    .join(', ');
  return parts || `${step.sent - step.ok} not acknowledged`;
}

/** In which 5 s of a step it did not acknowledge frames, e.g. `per 5 s: 1 / 4 / 0 / 5` (empty when not recorded). */
export function per5s(unacknowledged: number[] | undefined): string {
  return unacknowledged?.length ? `per 5 s: ${unacknowledged.join(' / ')}` : '';
}

/** `notAcknowledged`, then in which 5 s of the step (where the step recorded it). */
export function notAcknowledgedWhen(
  step: Pick<CalibrationStep, 'sent' | 'ok' | 'status' | 'unacknowledgedPer5s'>,
): string {
  const when = per5s(step.unacknowledgedPer5s);
  return notAcknowledged(step) + (when ? ` (${when})` : '');
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function spread(values: number[]): MetricSpread | undefined {
  if (values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** One summary per experiment × mode that has runs, in the order the runs were made. */
export function summarise(runs: Run[]): RunSummary[] {
  const groups = new Map<string, Run[]>();
  for (const r of runs) {
    const key = `${r.experiment}\u0000${r.mode}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const ok = group.filter((r) => r.status === 'ok');
    const judged = ok.filter((r) => r.hypothesis);
    const names = new Set(ok.flatMap((r) => Object.keys(r.metrics) as MetricName[]));
    const metrics: RunSummary['metrics'] = {};
    for (const name of names) {
      const s = spread(ok.map((r) => r.metrics[name]).filter((v): v is number => typeof v === 'number'));
      if (s) metrics[name] = s;
    }
    const held = judged.filter((r) => r.hypothesis!.held).length;
    return {
      experiment: group[0].experiment,
      mode: group[0].mode,
      runs: ok.length,
      held,
      heldInEveryRun: judged.length > 0 && held === judged.length && ok.length === group.length,
      metrics,
    };
  });
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const num = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

function cell(s: MetricSpread | undefined, f: (v: number) => string): string {
  if (!s) return '–';
  return s.n > 1 && s.min !== s.max ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}

/** The cores a calibration step used: image-analysis / collector / the lab's process / everything. */
function stepCores(cores: Record<string, number> | undefined): string {
  if (!cores) return '–';
  const f = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));
  const all = Object.values(cores).reduce((a, b) => a + b, 0);
  return `${f(cores['image-analysis'])} / ${f(cores.collector)} / ${f(cores.lab)} / ${f(all)}`;
}

/** The calibration, the parameters and the repeats as Markdown (appended to report.md by the lab). */
export function renderRepeats(result: LabResult): string {
  const lines: string[] = [];
  const c = result.calibration;
  if (c) {
    lines.push(
      '## Calibration',
      '',
      `Before the experiments, ${c.services.join(' + ')} (RESILIENCE=${c.mode}${Object.entries(c.env ?? {})
        .map(([k, v]) => `, ${k}=${v}`)
        .join('')}, no fault) streamed frames at rising rates ` +
        `for ${(c.steps[0]?.durationMs ?? 0) / 1000} s each (after the first failure, one frame/s at a time above the highest sustained rate)` +
        (c.steps.some((s) => s.confirmation)
          ? `, then held the highest sustained rate as long as a reference to confirm it (one lower, what it acknowledged per second, while it did not hold)`
          : '') +
        `; a rate is sustained when success ≥ ${pct(c.criterion.minSuccessRate)} ` +
        `and p99 < ${c.criterion.maxP99Ms} ms` +
        (c.criterion.maxGrowthMs === undefined
          ? ''
          : ` and its latency does not grow (median of the last quarter ≤ the first quarter's + ${c.criterion.maxGrowthMs} ms)`) +
        `. This machine sustained **${c.sustainedRate} frames/s**; the experiments ran at ` +
        `${c.fraction} × that = **${c.experimentRate} frames/s**, so the fault and not the CPU decides the outcome.`,
      '',
      '| frames/s | sent | acknowledged | not acknowledged, by status | success | p99 ms | latency growth ms | cores: image-analysis / collector / lab / all | sustained |',
      '| ---: | ---: | ---: | --- | ---: | ---: | ---: | --- | --- |',
      ...c.steps.map(
        (s) =>
          `| ${s.rate}${s.confirmation ? ` (confirming, ${s.durationMs / 1000} s)` : ''} | ${s.sent} | ${s.ok} | ${s.ok < s.sent ? notAcknowledgedWhen(s) : '–'} | ${s.successRate === null ? '–' : pct(s.successRate)} | ${s.p99Ms === null ? '–' : ms(s.p99Ms)} | ${s.growthMs === undefined || s.growthMs === null ? '–' : ms(s.growthMs)} | ${stepCores(s.cores)} | ${s.sustained ? 'yes' : 'no'} |`,
      ),
      '',
    );
  }
  const summaries = result.summaries ?? [];
  if (summaries.length) {
    const p = result.parameters;
    lines.push(
      `## Repeats: median (min–max) over ${result.repeats ?? 1} run(s) per experiment × mode`,
      '',
      ...(p?.rate || p?.durationMs
        ? [
            `Load: ${p.rate ? `${p.rate} frames/s` : 'each experiment its own rate'}, ${p.durationMs ? `${p.durationMs / 1000} s` : 'each experiment its own duration'} per run (every plan in result.json \`parameters.plans\`).`,
            '',
          ]
        : []),
      'A hypothesis holds only if it held in every run; otherwise the table says in how many.',
      '',
      '| experiment | mode | runs | success | stored | p50 ms | p99 ms | lost | faces | alerts raised | alerts / watch-listed frames | hypothesis |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    );
    for (const s of summaries) {
      if (s.runs === 0) continue;
      const m = s.metrics;
      const verdict = s.heldInEveryRun ? `held in every run (${s.held}/${s.runs})` : `held in ${s.held} of ${s.runs}`;
      lines.push(
        `| ${s.experiment} | ${s.mode} | ${s.runs} | ${cell(m.successRate, pct)} | ${cell(m.storedRate, pct)} | ${cell(m.p50Ms, ms)} | ${cell(m.p99Ms, ms)} | ${cell(m.lostFrames, num)} | ${cell(m.facesCounted, num)} | ${cell(m.alertsRaised, num)} | ${cell(m.alertsRaisedRate, pct)} | ${verdict} |`,
      );
    }
    lines.push('');
  }
  return lines.length ? `\n${lines.join('\n')}` : '';
}
