/** result.json → report.md and the SVG charts; two results side by side (`compare`). */
import { formatBound, formatMetric } from './hypothesis.js';
import { groupedBars, timeline, type Marker } from './svg.js';
import {
  CLUSTER_MODES,
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

export function chartFiles(result: LabResult): Record<string, string> {
  const experiments = result.experiments
    .map((e) => e.name)
    .filter((name) => result.runs.some((r) => r.experiment === name && r.status === 'ok'));
  const value = (exp: string, mode: Mode, metric: MetricName) => {
    const run = result.runs.find((r) => r.experiment === exp && r.mode === mode && r.status === 'ok');
    const v = run?.metrics[metric];
    return v === undefined ? null : v;
  };
  const files: Record<string, string> = {};
  if (experiments.length === 0) return files;
  files['success-rate.svg'] = groupedBars({
    title: 'Success rate (acknowledged / sent) per experiment and mode',
    categories: experiments,
    series: result.modes.map((mode) => ({ name: mode, values: experiments.map((e) => value(e, mode, 'successRate')) })),
    yMax: 1,
    yLabel: 'success rate',
    format: (v) => `${Math.round(v * 100)}%`,
  });
  files['p99.svg'] = groupedBars({
    title: 'Latency p99 (from the intended start) per experiment and mode',
    categories: experiments,
    series: result.modes.map((mode) => ({ name: mode, values: experiments.map((e) => value(e, mode, 'p99Ms')) })),
    yLabel: 'p99, ms',
    format: (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`),
  });
  for (const exp of experiments) {
    const runs = result.runs.filter((r) => r.experiment === exp && r.status === 'ok' && r.load);
    const markers: Marker[] = runs.flatMap((r) =>
      r.events.map((e) => ({ x: e.atMs / 1000, label: e.what, series: r.mode })),
    );
    files[`timeline-${exp}.svg`] = timeline({
      title: `${exp}: share of each second's requests acknowledged`,
      series: runs.map((r) => ({
        name: r.mode,
        points: r.load!.timeline.map(
          (b) => [b.startMs / 1000, b.intended > 0 ? b.ok / b.intended : 0] as [number, number],
        ),
      })),
      markers,
      yMax: 1,
      yLabel: 'acknowledged',
      xLabel: 'seconds into the load (by intended start)',
      format: (v) => `${Math.round(v * 100)}%`,
    });
  }
  return files;
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
  const byScenario = [...result.experiments].sort((a, b) => (a.scenario ?? '').localeCompare(b.scenario ?? ''));
  for (const e of byScenario)
    lines.push(
      `| ${e.scenario ?? '–'} | ${e.name} | ${e.measures ?? '–'} | ${ALL_MODES.map((m) => coverageCell(result, e, m)).join(' | ')} |`,
    );
  lines.push('');
  return lines;
}

export function renderReport(result: LabResult, charts: string[]): string {
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
  lines.push(
    '## Results',
    '',
    '| experiment | mode | success | p50 ms | p90 ms | p99 ms | sent | acked | stored | lost | acked, not stored | store duplicates | duplicate deliveries | hypothesis |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const exp of result.experiments) {
    for (const mode of result.modes) {
      const r = result.runs.find((x) => x.experiment === exp.name && x.mode === mode);
      if (!r) {
        lines.push(`| ${exp.name} | ${mode} | not run |  |  |  |  |  |  |  |  |  |  | – |`);
        continue;
      }
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
        `| ${exp.name} | ${mode} | ${pct(r.metrics.successRate)} | ${ms(l?.p50)} | ${ms(l?.p90)} | ${ms(l?.p99)} | ` +
          (f
            ? `${f.sent} | ${f.acknowledged} | ${f.stored} | ${f.lost} | ${f.ackedNotStored} | ${f.storeDuplicates} | ${f.duplicateDeliveries ?? '–'} | `
            : `${r.load?.requests.intended ?? '–'} | ${r.load?.requests.ok ?? '–'} | ${split ?? '–'} |  |  |  |  | `) +
          `${verdict(r)} |`,
      );
    }
  }
  lines.push(
    '',
    'success = 2xx answers / frames sent (the load generator\'s count); lost = sent − stored; "acked, not stored" and "store duplicates" must always be 0.',
    '',
  );

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
      const r = result.runs.find((x) => x.experiment === exp.name && x.mode === mode);
      const bounds = exp.hypothesis.bounds[mode] ?? [];
      if (!r || r.status === 'skipped') {
        lines.push(`  - \`${mode}\`: ${r?.note ?? 'not run'}`);
        continue;
      }
      if (r.status === 'failed') {
        lines.push(`  - \`${mode}\`: run failed: ${r.note ?? ''}`);
        continue;
      }
      const checks = (r.hypothesis?.bounds ?? []).map(
        (b) => `${formatBound(b)} → ${formatMetric(b.metric, b.actual)} ${b.held ? '✓' : '✗'}`,
      );
      lines.push(
        `  - \`${mode}\` (${verdict(r)}): ${checks.join('; ') || bounds.map(formatBound).join('; ') || 'no bounds'}`,
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
        const errs = Object.entries(r.load.status)
          .map(([s, n]) => `${s}: ${n}`)
          .join(', ');
        extra.push(
          `statuses ${errs || 'none'}${r.load.requests.errors ? `, ${r.load.requests.errors} without answer` : ''}${r.load.requests.dropped ? `, ${r.load.requests.dropped} dropped by the generator` : ''}`,
        );
      }
      if (r.parameters?.env) {
        const env = Object.entries(r.parameters.env).filter(
          ([k]) => k.startsWith('RESILIENCE') || k === 'HTTP_TIMEOUT_MS',
        );
        extra.push(`env ${env.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      }
      if (r.parameters?.manifests) extra.push(`applied ${r.parameters.manifests}`);
      for (const e of extra) lines.push(`    - ${e}`);
    }
    lines.push('');
  }
  if (charts.length) {
    lines.push('## Charts', '');
    for (const c of charts) lines.push(`![${c}](${c})`, '');
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

/** Two results side by side: one row per experiment × mode, the main numbers of each. */
export function renderComparison(
  a: { label: string; result: LabResult },
  b: { label: string; result: LabResult },
): string {
  const lines: string[] = [];
  lines.push(`# Lab comparison: ${a.label} vs ${b.label}`, '');
  for (const side of [a, b]) {
    const r = side.result;
    lines.push(
      `- **${side.label}**: ${r.target}, ${r.status}${r.status !== 'complete' ? ' (INCOMPLETE: numbers are partial)' : ''}, profile ${r.profile}, started ${r.startedAt}, ` +
        `git ${r.git.commit?.slice(0, 12) ?? 'unknown'}, ${r.machine.cpuModel} × ${r.machine.cores}, Node ${r.machine.node}`,
    );
  }
  lines.push(
    '',
    `| experiment | mode | success A | success B | p99 A ms | p99 B ms | lost A | lost B | hypothesis A | hypothesis B |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  );
  const keys: [string, Mode][] = [];
  for (const r of [...a.result.runs, ...b.result.runs])
    if (!keys.some(([e, m]) => e === r.experiment && m === r.mode)) keys.push([r.experiment, r.mode]);
  for (const [exp, mode] of keys) {
    const ra = a.result.runs.find((r) => r.experiment === exp && r.mode === mode);
    const rb = b.result.runs.find((r) => r.experiment === exp && r.mode === mode);
    const cell = (r: Run | undefined, f: (r: Run) => string) => (r && r.status === 'ok' ? f(r) : r ? r.status : '–');
    lines.push(
      `| ${exp} | ${mode} | ${cell(ra, (r) => pct(r.metrics.successRate))} | ${cell(rb, (r) => pct(r.metrics.successRate))} | ` +
        `${cell(ra, (r) => ms(r.metrics.p99Ms))} | ${cell(rb, (r) => ms(r.metrics.p99Ms))} | ` +
        `${cell(ra, (r) => String(r.frames?.lost ?? '–'))} | ${cell(rb, (r) => String(r.frames?.lost ?? '–'))} | ${ra ? verdict(ra) : '–'} | ${rb ? verdict(rb) : '–'} |`,
    );
  }
  return lines.join('\n') + '\n';
}
