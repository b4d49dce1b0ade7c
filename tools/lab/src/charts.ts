/**
 * The report's charts: Vega-Lite specifications compiled to Vega and rendered to SVG in Node (the
 * headless `none` renderer, no browser, no canvas), so report.html embeds them inline and works
 * offline. Every chart is built from the result only; a chart without data is not drawn, and the
 * caller says why (`ChartOrNote`).
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { mergeRuns, percentileDistribution } from './hdr.js';
import { CLUSTER_MODES, LOCAL_MODES, type Experiment, type LabResult, type Mode, type Run } from './types.js';

/** A rendered chart, or the reason there is none (shown instead of a chart: never an invented one). */
export type ChartOrNote = { svg: string; title: string } | { note: string; title: string };

const ALL_MODES: Mode[] = [...LOCAL_MODES, ...CLUSTER_MODES];
const MODE_COLORS = ['#d62728', '#1f77b4', '#ff7f0e', '#2ca02c'];
/** Colour by mode, the same colour for a mode in every chart; the legend lists the modes given. */
export const modeColor = (modes: readonly Mode[]) =>
  ({
    field: 'mode',
    type: 'nominal',
    title: 'mode',
    scale: { domain: [...modes], range: modes.map((m) => MODE_COLORS[ALL_MODES.indexOf(m)]) },
  }) as const;
export const modeColorRange = (modes: readonly Mode[]) => modes.map((m) => MODE_COLORS[ALL_MODES.indexOf(m)]);

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile({ config: { font: 'sans-serif', view: { stroke: '#ddd' } }, ...spec } as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The runs of one experiment and mode that produced numbers (several with repeats). */
export function okRuns(result: LabResult, experiment: string, mode?: Mode): Run[] {
  return result.runs.filter(
    (r) => r.experiment === experiment && (mode === undefined || r.mode === mode) && r.status === 'ok',
  );
}

/** Label of a run among the repeats of its experiment and mode: `none`, or `none #2` with repeats. */
export function runLabel(result: LabResult, run: Run): string {
  const same = okRuns(result, run.experiment, run.mode);
  return same.length > 1 ? `${run.mode} #${same.indexOf(run) + 1}` : run.mode;
}

export interface FaultWindow {
  fromS: number;
  toS: number;
  label: string;
}

/**
 * When the fault acted, in seconds of the load: the run's own `faultWindow` when the lab recorded it;
 * else from its events (SIGKILL / deleted pod → ready / rolled out again, or fault on → fault off); else,
 * for a chaos fault (set before the load, reset after), the whole load.
 */
export function faultWindow(run: Run, experiment: Experiment | undefined): FaultWindow | undefined {
  const loadS = (run.parameters?.load.durationMs ?? run.load?.config.durationMs ?? 0) / 1000;
  if (run.faultWindow)
    return {
      fromS: run.faultWindow.fromMs / 1000,
      toS: (run.faultWindow.toMs ?? loadS * 1000) / 1000,
      label: run.faultWindow.label ?? 'fault',
    };
  const start = run.events.find((e) => /SIGKILL|deleted pod|fault on|fault applied/i.test(e.what));
  if (start) {
    const end = run.events.find(
      (e) => e.atMs >= start.atMs && e !== start && /ready|rolled out|fault off|fault reset/i.test(e.what),
    );
    return { fromS: start.atMs / 1000, toS: (end?.atMs ?? loadS * 1000) / 1000, label: start.what };
  }
  const fault = run.parameters?.fault ?? experiment?.local?.fault;
  if (fault && fault.kind === 'chaos' && loadS > 0)
    return { fromS: 0, toS: loadS, label: 'chaos fault during the whole load' };
  return undefined;
}

const faultLayer = (rows: object[], modes: readonly Mode[]) => ({
  data: { values: rows },
  mark: { type: 'rect', opacity: 0.12 },
  encoding: {
    x: { field: 'fromS', type: 'quantitative' },
    x2: { field: 'toS' },
    color: modeColor(modes),
    tooltip: [{ field: 'mode' }, { field: 'label', title: 'fault' }],
  },
});

/** Per experiment: latency p50/p99 per second and the share of each second's frames acknowledged, fault window shaded. */
export async function timelineChart(result: LabResult, experiment: Experiment): Promise<ChartOrNote> {
  const title = `${experiment.name}: latency and success over time`;
  const runs = okRuns(result, experiment.name).filter((r) => r.load?.timeline.length);
  if (runs.length === 0) return { title, note: 'no run with a load timeline' };
  const latency: object[] = [];
  const success: object[] = [];
  const faults: object[] = [];
  for (const r of runs) {
    const label = runLabel(result, r);
    for (const b of r.load!.timeline) {
      const second = b.startMs / 1000 + 0.5;
      success.push({ mode: r.mode, run: label, second, acked: b.intended > 0 ? b.ok / b.intended : null });
      for (const [stat, v] of [
        ['p50', b.p50Ms],
        ['p99', b.p99Ms],
      ] as const)
        if (typeof v === 'number' && v > 0) latency.push({ mode: r.mode, run: label, second, stat, ms: v });
    }
    const w = faultWindow(r, experiment);
    if (w) faults.push({ mode: r.mode, run: label, ...w });
  }
  const x = { field: 'second', type: 'quantitative', title: 'seconds into the load (by intended start)' } as const;
  const successPanel = {
    title: "share of each second's frames acknowledged",
    width: 560,
    height: 140,
    layer: [
      ...(faults.length ? [faultLayer(faults, result.modes)] : []),
      {
        data: { values: success },
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: {
            field: 'acked',
            type: 'quantitative',
            title: 'acknowledged',
            axis: { format: '.0%' },
            scale: { domain: [0, 1] },
          },
          color: modeColor(result.modes),
          detail: { field: 'run' },
          tooltip: [{ field: 'run' }, { field: 'second' }, { field: 'acked', format: '.1%' }],
        },
      },
    ],
  };
  const latencyPanel = {
    title: 'latency per second from the intended start (p50 solid, p99 dashed), ms, log scale',
    width: 560,
    height: 180,
    layer: [
      ...(faults.length ? [faultLayer(faults, result.modes)] : []),
      {
        data: { values: latency },
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: { field: 'ms', type: 'quantitative', title: 'ms', scale: { type: 'log' } },
          color: modeColor(result.modes),
          strokeDash: {
            field: 'stat',
            type: 'nominal',
            title: 'percentile',
            scale: {
              domain: ['p50', 'p99'],
              range: [
                [1, 0],
                [5, 3],
              ],
            },
          },
          detail: { field: 'run' },
          tooltip: [{ field: 'run' }, { field: 'stat' }, { field: 'second' }, { field: 'ms' }],
        },
      },
    ],
  };
  const subtitle = [
    faults.length ? 'shaded: when the fault acted' : 'no fault window recorded',
    latency.length ? '' : 'no per-second latency in this result (recorded before it was saved): success only',
  ].filter(Boolean);
  const spec = {
    title: { text: title, subtitle },
    vconcat: latency.length ? [latencyPanel, successPanel] : [successPanel],
    resolve: { scale: { color: 'shared' } },
  } as unknown as TopLevelSpec;
  return { title, svg: await renderSvg(spec) };
}

/** One curve per series (e.g. per mode): HDR percentile distributions from the merged raw histograms. */
export async function percentileChart(
  title: string,
  series: { name: string; runs: Run[] }[],
  colorDomain?: string[],
  colorRange?: string[],
): Promise<ChartOrNote> {
  const rows: object[] = [];
  const missing: string[] = [];
  for (const s of series) {
    const h = mergeRuns(s.runs);
    if (!h) {
      if (s.runs.length) missing.push(s.name);
      continue;
    }
    for (const p of percentileDistribution(h)) rows.push({ series: s.name, ...p });
  }
  const note = missing.length
    ? `no histogram in ${missing.join(', ')} (result recorded before histograms were saved)`
    : '';
  if (rows.length === 0) return { title, note: note || 'no run with latencies' };
  const spec = {
    title: { text: title, subtitle: note || 'merged HDR histograms of every run, latency from the intended start' },
    width: 560,
    height: 220,
    data: { values: rows },
    mark: { type: 'line', point: true, interpolate: 'step-before' },
    encoding: {
      x: {
        field: 'inverse',
        type: 'quantitative',
        title: 'percentile',
        scale: { type: 'log' },
        axis: {
          values: [1, 2, 4, 10, 100, 1000, 10000, 100000],
          labelExpr: "format(100 - 100 / datum.value, '.6~r') + '%'",
        },
      },
      y: { field: 'ms', type: 'quantitative', title: 'latency, ms (log)', scale: { type: 'log' } },
      color: {
        field: 'series',
        type: 'nominal',
        title: '',
        ...(colorDomain ? { scale: { domain: colorDomain, ...(colorRange ? { range: colorRange } : {}) } } : {}),
      },
      tooltip: [{ field: 'series' }, { field: 'percentile', format: '.3f' }, { field: 'ms' }],
    },
  } as unknown as TopLevelSpec;
  return { title, svg: await renderSvg(spec) };
}

/** Grouped bars, one per experiment and mode (or per experiment and result in a comparison). */
export async function barChart(
  title: string,
  rows: { experiment: string; series: string; value: number }[],
  yTitle: string,
  format: string,
  options: { colorDomain?: string[]; colorRange?: string[]; yMax?: number; logY?: boolean } = {},
): Promise<ChartOrNote> {
  if (rows.length === 0) return { title, note: 'nothing measured' };
  const color = {
    field: 'series',
    type: 'nominal',
    title: '',
    scale: {
      ...(options.colorDomain ? { domain: options.colorDomain } : {}),
      ...(options.colorRange ? { range: options.colorRange } : {}),
    },
  };
  const y = {
    field: 'value',
    type: 'quantitative',
    title: yTitle,
    axis: { format },
    scale: options.logY ? { type: 'symlog' } : options.yMax !== undefined ? { domain: [0, options.yMax] } : {},
  };
  const spec = {
    title,
    width: { step: 28 },
    height: 200,
    data: { values: rows },
    encoding: {
      x: { field: 'experiment', type: 'nominal', title: null, sort: null, axis: { labelAngle: -30 } },
      xOffset: { field: 'series', sort: options.colorDomain ?? null },
      y,
      color,
      tooltip: [{ field: 'experiment' }, { field: 'series' }, { field: 'value', format }],
    },
    layer: [
      { mark: 'bar' },
      { mark: { type: 'text', dy: -5, fontSize: 9 }, encoding: { text: { field: 'value', format } } },
    ],
  } as unknown as TopLevelSpec;
  return { title, svg: await renderSvg(spec) };
}

export { ALL_MODES, MODE_COLORS };
