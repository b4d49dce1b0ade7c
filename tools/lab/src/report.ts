/** result.json → report.md, report.html and the SVG charts; two results side by side (`compare`). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  barChart,
  modeColorRange,
  okRuns,
  percentileChart,
  runLabel,
  timelineChart,
  type ChartOrNote,
} from './charts.js';
import { mergeRuns, summarize } from './hdr.js';
import { EXPERIMENTS } from './experiments.js';
import { formatBound, formatMetric } from './hypothesis.js';
import { renderHtml } from './html.js';
import { per5s, renderRepeats, statusList } from './repeats.js';
import { offloadMarkdown, offloadTable, type OffloadTable } from './offload.js';
import {
  CLUSTER_MODES,
  isServiceSetting,
  LOCAL_MODES,
  type Experiment,
  type LabResult,
  type MetricName,
  type Mode,
  type Run,
} from './types.js';

const pct = (v: number | null | undefined) => formatMetric('successRate', v);
const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1);

function verdict(run: Run): string {
  if (run.status === 'skipped') return 'skipped';
  if (run.status === 'failed') return '**run failed**';
  if (!run.hypothesis) return '–';
  return run.hypothesis.held ? 'held' : '**NOT held**';
}

const median = (values: number[]) => {
  const v = [...values].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};

/** The median of a metric over the runs of an experiment and mode (one value without repeats); null if none. */
export function medianMetric(result: LabResult, experiment: string, mode: Mode, metric: MetricName): number | null {
  const values = okRuns(result, experiment, mode)
    .map((r) => r.metrics[metric])
    .filter((v): v is number => typeof v === 'number');
  return values.length ? median(values) : null;
}

const lostShare = (r: Run) => (r.frames && r.frames.sent > 0 ? r.frames.lost / r.frames.sent : null);

/** Experiments with at least one run that produced numbers. */
const measuredExperiments = (result: LabResult) =>
  result.experiments.map((e) => e.name).filter((name) => okRuns(result, name).length > 0);

/**
 * Every chart of a result, by file name: success, loss and p99 per experiment and mode (median over
 * repeats), and per experiment the latency and success over time with the fault window shaded and the
 * HDR percentile curves per mode. A chart that cannot be drawn from this result is a note saying why.
 */
export async function buildCharts(result: LabResult): Promise<Record<string, ChartOrNote>> {
  const charts: Record<string, ChartOrNote> = {};
  const experiments = measuredExperiments(result);
  if (experiments.length === 0) return charts;
  const rows = (f: (exp: string, mode: Mode) => number | null) =>
    experiments.flatMap((exp) =>
      result.modes.flatMap((mode) => {
        const value = f(exp, mode);
        return value === null ? [] : [{ experiment: exp, series: mode, value }];
      }),
    );
  const modeColors = { colorDomain: [...result.modes], colorRange: modeColorRange(result.modes) };
  charts['success-rate.svg'] = await barChart(
    'Success (acknowledged / sent) per experiment and mode',
    rows((e, m) => medianMetric(result, e, m, 'successRate')),
    'success',
    '.0%',
    { ...modeColors, yMax: 1 },
  );
  charts['loss.svg'] = await barChart(
    'Frames lost (sent, not in the store) / sent per experiment and mode',
    rows((e, m) => {
      const v = okRuns(result, e, m)
        .map(lostShare)
        .filter((x): x is number => x !== null);
      return v.length ? median(v) : null;
    }),
    'lost',
    '.0%',
    { ...modeColors, yMax: 1 },
  );
  charts['p99.svg'] = await barChart(
    'Latency p99 from the intended start per experiment and mode, ms',
    rows((e, m) => medianMetric(result, e, m, 'p99Ms')),
    'p99, ms (symlog)',
    ',.0f',
    { ...modeColors, logY: true },
  );
  for (const name of experiments) {
    const exp = result.experiments.find((e) => e.name === name)!;
    charts[`timeline-${name}.svg`] = await timelineChart(result, exp);
    charts[`percentiles-${name}.svg`] = await percentileChart(
      `${name}: latency percentile distribution per mode (HDR)`,
      result.modes.map((mode) => ({ name: mode, runs: okRuns(result, name, mode).filter((r) => r.load) })),
      [...result.modes],
      modeColorRange(result.modes),
    );
  }
  return charts;
}

/** The Markdown line of a chart: the image, or the reason it is not drawn. */
function chartLine(file: string, chart: ChartOrNote): string {
  // A note: in Markdown the sentence; the HTML page puts it where the chart would be (html.ts).
  return 'svg' in chart
    ? `![${chart.title}](${file})`
    : `<!-- chart-note: ${file} -->\n*${chart.title}: ${chart.note}*`;
}

const ALL_MODES: readonly Mode[] = [...LOCAL_MODES, ...CLUSTER_MODES];

/** What one cell of the coverage table says: measured (with the verdict), or why not; never a number. */
export function coverageCell(result: LabResult, experiment: Experiment, mode: Mode): string {
  const localMode = (LOCAL_MODES as readonly Mode[]).includes(mode);
  const r = result.runs.find((x) => x.experiment === experiment.name && x.mode === mode);
  if (r?.status === 'ok') return `measured: ${verdict(r)}`;
  if (r?.status === 'failed') return 'run failed';
  if (localMode && !experiment.local)
    return experiment.localCounterpart ? `cluster-only (local: ${experiment.localCounterpart})` : 'cluster-only';
  if (!localMode && experiment.cluster?.measurement === 'pending') return 'defined, not measured yet';
  if (!result.modes.includes(mode)) return `not measured here (\`--target ${localMode ? 'local' : 'cluster'}\`)`;
  if (r?.status === 'skipped') return 'skipped';
  return 'not run';
}

/** Every scenario directory, its experiments, and in which mode each was measured in this result. */
export function coverageTable(result: LabResult): string[] {
  const lines = [
    '## Where each scenario was measured',
    '',
    `Local modes run with \`--target local\`, cluster modes with \`--target cluster\`; a cell that was not measured in this run says why and shows no number.`,
    '',
    `| scenario | experiment | what it measures | ${ALL_MODES.join(' | ')} |`,
    `| --- | --- | --- | ${ALL_MODES.map(() => '---').join(' | ')} |`,
  ];
  // A result written before experiments named their scenario: the catalogue's, by name.
  const known = result.experiments.map((e) => {
    const c = EXPERIMENTS.find((x) => x.name === e.name);
    return { ...e, scenario: e.scenario ?? c?.scenario, measures: e.measures ?? c?.measures };
  });
  const byScenario = [...known].sort((a, b) => (a.scenario ?? '').localeCompare(b.scenario ?? ''));
  for (const e of byScenario)
    lines.push(
      `| ${e.scenario ?? '–'} | ${e.name} | ${e.measures ?? '–'} | ${ALL_MODES.map((m) => coverageCell(result, e, m)).join(' | ')} |`,
    );
  lines.push('');
  return lines;
}

export function renderReport(
  result: LabResult,
  charts: Record<string, ChartOrNote> = {},
  offload?: OffloadTable,
): string {
  const lines: string[] = [];
  const title = `# Resilience lab: ${result.target} (${result.modes.join(' vs ')})`;
  if (result.status !== 'complete') {
    lines.push(
      `# INCOMPLETE RUN: do not use these numbers`,
      '',
      `The lab stopped before every experiment ran: ${result.error ?? 'unknown error'}.`,
      '',
      title.replace(/^# /, '## '),
    );
  } else {
    lines.push(title);
  }
  lines.push('');
  const held = result.runs.filter((r) => r.hypothesis?.held).length;
  const judged = result.runs.filter((r) => r.hypothesis).length;
  lines.push(
    `Started ${result.startedAt}${result.finishedAt ? `, finished ${result.finishedAt}` : ''}; profile \`${result.profile}\`; ` +
      `git ${result.git.commit?.slice(0, 12) ?? 'unknown'}${result.git.dirty ? ' (with uncommitted changes)' : ''}.`,
    `Machine: ${result.machine.cpuModel}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, ${result.machine.platform}, Node ${result.machine.node}.`,
    '',
    `**Hypotheses held: ${held} of ${judged} runs.** Everything measured is in \`result.json\` (schema \`${result.schema}\`).`,
    '',
  );
  lines.push(...coverageTable(result));
  if (offload) lines.push(...offloadMarkdown(offload));
  lines.push(
    '## Results',
    '',
    '| experiment | mode | success | p50 ms | p90 ms | p99 ms | sent | acked | stored | lost | acked, not stored | store duplicates | duplicate deliveries | hypothesis |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const exp of result.experiments) {
    for (const mode of result.modes) {
      const runs = result.runs.filter((x) => x.experiment === exp.name && x.mode === mode);
      if (!runs.length) {
        lines.push(`| ${exp.name} | ${mode} | not run |  |  |  |  |  |  |  |  |  |  | – |`);
        continue;
      }
      for (const r of runs) {
        const label = r.status === 'ok' ? runLabel(result, r) : mode;
        if (r.status === 'skipped') {
          lines.push(`| ${exp.name} | ${mode} | skipped: ${r.note ?? ''} |  |  |  |  |  |  |  |  |  |  | – |`);
          continue;
        }
        const f = r.frames;
        const l = r.load?.latencyMs;
        const split = r.split
          ? Object.entries(r.split)
              .map(([k, n]) => `${k}: ${n}`)
              .join(', ')
          : undefined;
        lines.push(
          `| ${exp.name} | ${label} | ${pct(r.metrics.successRate)} | ${ms(l?.p50)} | ${ms(l?.p90)} | ${ms(l?.p99)} | ` +
            (f
              ? `${f.sent} | ${f.acknowledged} | ${f.stored} | ${f.lost} | ${f.ackedNotStored} | ${f.storeDuplicates} | ${f.duplicateDeliveries ?? '–'} | `
              : `${r.load?.requests.intended ?? '–'} | ${r.load?.requests.ok ?? '–'} | ${split ?? '–'} |  |  |  |  | `) +
            `${verdict(r)} |`,
        );
      }
    }
  }
  lines.push(
    '',
    'success = 2xx answers / frames sent (the load generator\'s count); lost = sent − stored; "acked, not stored" and "store duplicates" must always be 0.',
    '',
  );
  for (const file of ['success-rate.svg', 'loss.svg', 'p99.svg'])
    if (charts[file]) lines.push(chartLine(file, charts[file]), '');

  lines.push('## Experiments', '');
  for (const exp of result.experiments) {
    lines.push(`### ${exp.name}: ${exp.title}`, '');
    lines.push(`- **Steady state**: ${exp.steadyState}.`, `- **Fault**: ${exp.faultDescription}.`);
    const plan = result.runs.find((r) => r.experiment === exp.name && r.parameters)?.parameters?.load;
    if (plan)
      lines.push(
        `- **Load**: ${plan.rate} frames/s for ${plan.durationMs / 1000} s, the caller's timeout ${plan.timeoutMs / 1000} s (constant rate, open model).`,
      );
    lines.push(`- **Hypothesis**: ${exp.hypothesis.statement}`);
    for (const mode of result.modes) {
      const runs = result.runs.filter((x) => x.experiment === exp.name && x.mode === mode);
      const bounds = exp.hypothesis.bounds[mode] ?? [];
      if (!runs.length) lines.push(`  - \`${mode}\`: not run`);
      for (const r of runs) {
        if (r.status === 'skipped') {
          lines.push(`  - \`${mode}\`: ${r.note ?? 'not run'}`);
          continue;
        }
        if (r.status === 'failed') {
          lines.push(`  - \`${mode}\`: run failed: ${r.note ?? ''}`);
          continue;
        }
        const label = runLabel(result, r);
        const checks = (r.hypothesis?.bounds ?? []).map(
          (b) => `${formatBound(b)} → ${formatMetric(b.metric, b.actual)} ${b.held ? '✓' : '✗'}`,
        );
        lines.push(
          `  - \`${label}\` (${verdict(r)}): ${checks.join('; ') || bounds.map(formatBound).join('; ') || 'no bounds'}`,
        );
        const extra: string[] = [];
        if (r.note) extra.push(r.note);
        if (r.dependency)
          extra.push(
            `${r.dependency.requests} requests reached ${r.dependency.service} (${r.dependency.injectedErrors} injected errors, ${r.dependency.injectedDelays} delays)`,
          );
        if (r.frames?.resent)
          extra.push(
            `${r.frames.resent} unacknowledged frames re-sent, ${r.frames.lostAfterResend} still missing after that`,
          );
        if (r.metrics.tailSuccessRate !== undefined)
          extra.push(`success after recovery ${pct(r.metrics.tailSuccessRate)}`);
        if (r.events.length)
          extra.push(`events: ${r.events.map((e) => `${(e.atMs / 1000).toFixed(1)} s ${e.what}`).join(', ')}`);
        if (r.load) {
          const errs = statusList(r.load.status);
          extra.push(
            `statuses ${errs || 'none'}${r.load.requests.errors ? `, ${r.load.requests.errors} without answer` : ''}${r.load.requests.dropped ? `, ${r.load.requests.dropped} dropped by the generator` : ''}`,
          );
        }
        if (r.cpu) {
          const total = Object.values(r.cpu.cores).reduce((a, b) => a + b, 0);
          extra.push(
            `CPU over the load (cores, ${(r.cpu.windowMs / 1000).toFixed(0)} s): ${Object.entries(r.cpu.cores)
              .sort((a, b) => b[1] - a[1])
              .map(([n, c]) => `${n === 'lab' ? 'lab (load generator)' : n} ${c.toFixed(2)}`)
              .join(', ')}; total ${total.toFixed(2)}` +
              (r.cpu.machine
                ? `; the machine: ${r.cpu.machine.busy.toFixed(2)} busy, other processes ${r.cpu.machine.others.toFixed(2)}, stolen by the hypervisor ${r.cpu.machine.steal.toFixed(2)}`
                : ''),
          );
        }
        if (r.reference) {
          const ref = r.reference;
          const paired = r.metrics.pairedGoodputShare;
          extra.push(
            `just before, on the same stack, at the calibrated rate (${ref.rate}/s for ${(ref.durationMs / 1000).toFixed(0)} s` +
              (ref.warmUp
                ? ` after ${(ref.warmUp.durationMs / 1000).toFixed(0)} s at it to warm up, ${ref.warmUp.acknowledged} of ${ref.warmUp.sent} acknowledged`
                : '') +
              `): ` +
              `${ref.acknowledged} of ${ref.sent} acknowledged (${ref.okPerSecond.toFixed(2)}/s), p99 ${ref.p99Ms ?? '–'} ms, ` +
              `latency growth ${ref.growthMs === null ? '–' : `${Math.round(ref.growthMs)} ms`}` +
              (ref.status ? `, statuses ${statusList(ref.status)}` : '') +
              (ref.acknowledged < ref.sent && ref.unacknowledgedPer5s?.length
                ? ` (not acknowledged ${per5s(ref.unacknowledgedPer5s)})`
                : '') +
              ` → ${ref.sustained ? 'sustained again' : 'not sustained'}; ` +
              `stored per second under the overload / that: ${typeof paired === 'number' ? paired.toFixed(3) : '–'} (pairedGoodputShare)`,
          );
        }
        if (r.work && Object.keys(r.work).length) {
          const w = r.work;
          const stored = r.frames?.stored;
          const parts: string[] = [];
          if (w.analysed !== undefined) {
            const cores = r.cpu?.cores['image-analysis'];
            const cpuMs = cores !== undefined && w.analysed ? (cores * r.cpu!.windowMs) / w.analysed : undefined;
            parts.push(
              `image-analysis analysed ${w.analysed}${stored ? ` (${(w.analysed / stored).toFixed(2)} per stored frame)` : ''}` +
                (cpuMs === undefined ? '' : `, ${cpuMs.toFixed(1)} ms of its CPU each`),
            );
          }
          if (w.analysisShed !== undefined) parts.push(`refused by image-analysis ${w.analysisShed}`);
          if (w.doorShed !== undefined) parts.push(`refused at the collector's door ${w.doorShed}`);
          if (w.retries !== undefined) parts.push(`client retries ${w.retries}`);
          if (w.analysed && w.detectSeconds !== undefined) {
            const ms = (k: string) => (((w[k] ?? 0) * 1000) / w.analysed).toFixed(1);
            parts.push(
              `per analysed frame: decode ${ms('decodeSeconds')} ms, detect ${ms('detectSeconds')} ms, attributes ${ms('attributesSeconds')} ms, queue wait ${ms('queueWaitSeconds')} ms`,
            );
          }
          extra.push(`work over the load: ${parts.join(', ')}`);
        }
        if (r.parameters?.env) {
          const env = Object.entries(r.parameters.env).filter(([k]) => isServiceSetting(k));
          extra.push(`env ${env.map(([k, v]) => `${k}=${v}`).join(' ')}`);
        }
        if (r.parameters?.manifests) extra.push(`applied ${r.parameters.manifests}`);
        for (const e of extra) lines.push(`    - ${e}`);
      }
    }
    lines.push('');
    for (const file of [`timeline-${exp.name}.svg`, `percentiles-${exp.name}.svg`])
      if (charts[file]) lines.push(chartLine(file, charts[file]), '');
  }
  lines.push('## Parameters', '');
  lines.push(
    `Versions: ${Object.entries(result.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
  );
  return lines.join('\n') + '\n';
}

/** Writes report.md, report.html (self-contained), the SVG charts and result.json into `dir`. */
export async function writeReport(dir: string, result: LabResult, repoRoot: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const charts = await buildCharts(result);
  for (const [file, chart] of Object.entries(charts)) if ('svg' in chart) writeFileSync(join(dir, file), chart.svg);
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 2) + '\n');
  // The calibration and the repeats (median and spread per experiment and mode) close the Markdown.
  const markdown = renderReport(result, charts, offloadTable(result, repoRoot)) + renderRepeats(result);
  writeFileSync(join(dir, 'report.md'), markdown);
  writeFileSync(join(dir, 'report.html'), renderHtml(markdown, charts));
}

export interface Side {
  label: string;
  result: LabResult;
}

/** Latency percentiles of a side's runs: from their merged histograms, or the reason there are none. */
function latencyOf(side: 'A' | 'B', runs: Run[]): { p50: number; p99: number } | string {
  if (!runs.length) return '–';
  const h = mergeRuns(runs);
  if (!h) return `no histogram in ${side}`;
  const s = summarize(h);
  return { p50: s.p50, p99: s.p99 };
}

const delta = (a: number | null, b: number | null, f: (v: number) => string) =>
  a === null || b === null ? '–' : `${b - a >= 0 ? '+' : '−'}${f(Math.abs(b - a))}`;

/** The experiment × mode pairs of either side, in the order they first appear. */
function pairs(a: LabResult, b: LabResult): [string, Mode][] {
  const keys: [string, Mode][] = [];
  for (const r of [...a.runs, ...b.runs])
    if (!keys.some(([e, m]) => e === r.experiment && m === r.mode)) keys.push([r.experiment, r.mode]);
  // grouped by experiment (in the order experiments first appear), modes in their order
  const experiments = [...new Set(keys.map(([e]) => e))];
  return experiments.flatMap((e) => keys.filter(([x]) => x === e));
}

/** The charts of a comparison: success and p99 of both sides, and per experiment the percentile curves and timelines of each side. */
export async function buildComparisonCharts(a: Side, b: Side): Promise<Record<string, ChartOrNote>> {
  const charts: Record<string, ChartOrNote> = {};
  const keys = pairs(a.result, b.result);
  const experiments = [...new Set(keys.map(([e]) => e))];
  const rows = (f: (side: Side, exp: string, mode: Mode) => number | null) =>
    keys.flatMap(([exp, mode]) =>
      (
        [
          ['A', a],
          ['B', b],
        ] as const
      ).flatMap(([name, side]) => {
        const v = f(side, exp, mode);
        return v === null ? [] : [{ experiment: exp, series: `${name} · ${mode}`, value: v }];
      }),
    );
  const series = keys
    .map(([, m]) => m)
    .filter((m, i, all) => all.indexOf(m) === i)
    .flatMap((m) => [`A · ${m}`, `B · ${m}`]);
  charts['compare-success-rate.svg'] = await barChart(
    'Success per experiment and mode, A vs B',
    rows((s, e, m) => medianMetric(s.result, e, m, 'successRate')),
    'success',
    '.0%',
    { colorDomain: series, yMax: 1 },
  );
  charts['compare-p99.svg'] = await barChart(
    "Latency p99 per experiment and mode, A vs B (each run's own p99, median over repeats), ms",
    rows((s, e, m) => medianMetric(s.result, e, m, 'p99Ms')),
    'p99, ms (symlog)',
    ',.0f',
    { colorDomain: series, logY: true },
  );
  for (const exp of experiments) {
    const modes = keys.filter(([e]) => e === exp).map(([, m]) => m);
    charts[`compare-percentiles-${exp}.svg`] = await percentileChart(
      `${exp}: latency percentile distribution, A vs B (HDR)`,
      modes.flatMap((mode) => [
        { name: `A · ${mode}`, runs: okRuns(a.result, exp, mode).filter((r) => r.load) },
        { name: `B · ${mode}`, runs: okRuns(b.result, exp, mode).filter((r) => r.load) },
      ]),
      modes.flatMap((m) => [`A · ${m}`, `B · ${m}`]),
    );
    for (const [name, side] of [
      ['A', a],
      ['B', b],
    ] as const) {
      const e = side.result.experiments.find((x) => x.name === exp);
      if (e) charts[`compare-timeline-${exp}-${name}.svg`] = await timelineChart(side.result, e);
    }
  }
  return charts;
}

/** Two results side by side: per experiment × mode the main numbers of each and their deltas (B − A), then the charts. */
export function renderComparison(a: Side, b: Side, charts: Record<string, ChartOrNote> = {}): string {
  const lines: string[] = [];
  lines.push(`# Lab comparison: ${a.label} vs ${b.label}`, '');
  for (const [name, side] of [
    ['A', a],
    ['B', b],
  ] as const) {
    const r = side.result;
    const withHistograms = r.runs.filter((x) => x.load?.latencyHistogram).length;
    const withLoad = r.runs.filter((x) => x.load).length;
    lines.push(
      `- **${name} = ${side.label}**: ${r.target}, ${r.status}${r.status !== 'complete' ? ' (INCOMPLETE: numbers are partial)' : ''}, profile ${r.profile}, started ${r.startedAt}, ` +
        `git ${r.git.commit?.slice(0, 12) ?? 'unknown'}, ${r.machine.cpuModel} × ${r.machine.cores}, Node ${r.machine.node}; ` +
        `${withHistograms} of ${withLoad} runs with a raw latency histogram${withHistograms < withLoad ? ' (older result: percentiles of runs without one are not shown)' : ''}`,
    );
  }
  lines.push(
    '',
    'Success and lost are medians over repeats; p50/p99 come from the merged raw HDR histograms of every run of the experiment and mode, and are left out ("no histogram in A") for a side whose result predates them. Δ = B − A.',
    '',
    '| experiment | mode | success A | success B | Δ success | p50 A ms | p50 B ms | Δ p50 | p99 A ms | p99 B ms | Δ p99 | lost A | lost B | hypothesis A | hypothesis B |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  );
  const verdicts = (runs: Run[]) => {
    if (!runs.length) return '–';
    const ok = runs.filter((r) => r.status === 'ok');
    if (!ok.length) return runs[0].status;
    const judged = ok.filter((r) => r.hypothesis);
    const held = judged.filter((r) => r.hypothesis!.held).length;
    if (!judged.length) return '–';
    return judged.length === 1 ? verdict(judged[0]) : `held in ${held} of ${judged.length}`;
  };
  for (const [exp, mode] of pairs(a.result, b.result)) {
    const ra = a.result.runs.filter((r) => r.experiment === exp && r.mode === mode);
    const rb = b.result.runs.filter((r) => r.experiment === exp && r.mode === mode);
    const okA = ra.filter((r) => r.status === 'ok');
    const okB = rb.filter((r) => r.status === 'ok');
    const status = (runs: Run[], ok: Run[]) => (ok.length ? undefined : runs.length ? runs[0].status : '–');
    const sa = medianMetric(a.result, exp, mode, 'successRate');
    const sb = medianMetric(b.result, exp, mode, 'successRate');
    const la = latencyOf('A', okA);
    const lb = latencyOf('B', okB);
    const num = (l: typeof la, k: 'p50' | 'p99') => (typeof l === 'string' ? l : ms(l[k]));
    const lat = (l: typeof la, k: 'p50' | 'p99') => (typeof l === 'string' ? null : l[k]);
    const lost = (ok: Run[]) => {
      const v = ok.map((r) => r.frames?.lost).filter((x): x is number => typeof x === 'number');
      return v.length ? median(v) : null;
    };
    const cell = (runs: Run[], ok: Run[], text: string) => status(runs, ok) ?? text;
    lines.push(
      `| ${exp} | ${mode} | ${cell(ra, okA, pct(sa))} | ${cell(rb, okB, pct(sb))} | ${delta(sa, sb, (v) => `${(v * 100).toFixed(1)} pt`)} | ` +
        `${cell(ra, okA, num(la, 'p50'))} | ${cell(rb, okB, num(lb, 'p50'))} | ${delta(lat(la, 'p50'), lat(lb, 'p50'), ms)} | ` +
        `${cell(ra, okA, num(la, 'p99'))} | ${cell(rb, okB, num(lb, 'p99'))} | ${delta(lat(la, 'p99'), lat(lb, 'p99'), ms)} | ` +
        `${cell(ra, okA, String(lost(okA) ?? '–'))} | ${cell(rb, okB, String(lost(okB) ?? '–'))} | ${verdicts(ra)} | ${verdicts(rb)} |`,
    );
  }
  lines.push('');
  const files = Object.keys(charts);
  if (files.length) {
    lines.push('## Charts', '');
    for (const file of files) lines.push(chartLine(file, charts[file]), '');
  }
  return lines.join('\n') + '\n';
}

/** `lab compare A B --out DIR`: comparison.md, comparison.html (self-contained) and the SVG charts. */
export async function writeComparison(dir: string, a: Side, b: Side): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const charts = await buildComparisonCharts(a, b);
  for (const [file, chart] of Object.entries(charts)) if ('svg' in chart) writeFileSync(join(dir, file), chart.svg);
  const markdown = renderComparison(a, b, charts);
  writeFileSync(join(dir, 'comparison.md'), markdown);
  writeFileSync(join(dir, 'comparison.html'), renderHtml(markdown, charts));
  return markdown;
}
