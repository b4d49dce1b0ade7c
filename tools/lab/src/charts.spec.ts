import { LatencyRecorder } from '@airport-mesh/loadgen';
import { faultWindow, percentileChart, renderSvg, timelineChart } from './charts.js';
import { EXPERIMENTS } from './experiments.js';
import { RESULT_SCHEMA, type LabResult, type Run } from './types.js';

const marks = (svg: string, kind: string) => (svg.match(new RegExp(`class="mark-${kind} role-mark`, 'g')) ?? []).length;

const encoded = (values: number[]) => {
  const r = new LatencyRecorder();
  for (const v of values) r.record(v);
  return r.encode();
};

function run(mode: 'none' | 'client', extra: Partial<Run> = {}, histogram = true): Run {
  return {
    experiment: 'kill-section',
    mode,
    status: 'ok',
    events: [
      { atMs: 2000, what: 'SIGKILL section-1' },
      { atMs: 4700, what: 'section-1 restarted and ready' },
    ],
    metrics: {},
    parameters: { load: { rate: 2, durationMs: 3000, timeoutMs: 1000 } },
    load: {
      config: { durationMs: 3000 },
      latencyHistogram: histogram ? encoded(mode === 'none' ? [10, 11, 12, 300] : [20, 21, 25, 900]) : undefined,
      timeline: [0, 1, 2].map((s) => ({
        startMs: s * 1000,
        intended: 2,
        ok: s === 2 ? 0 : 2,
        otherStatus: s === 2 ? 2 : 0,
        errors: 0,
        dropped: 0,
        p50Ms: 10 + s,
        p99Ms: 100 + s,
        maxMs: 100 + s,
      })),
    } as unknown as Run['load'],
    ...extra,
  };
}

const experiment = EXPERIMENTS.find((e) => e.name === 'kill-section')!;
const result = (runs: Run[]): LabResult => ({
  schema: RESULT_SCHEMA,
  status: 'complete',
  target: 'local',
  modes: ['none', 'client'],
  profile: 'short',
  experiments: [experiment],
  startedAt: '',
  git: { commit: null, dirty: null },
  versions: {},
  machine: { cpuModel: 'x', cores: 2, memoryGiB: 1, platform: 'linux', node: 'v24' },
  runs,
});

describe('charts rendered by vega in Node', () => {
  it('renders a Vega-Lite spec to a standalone SVG', async () => {
    const svg = await renderSvg({
      data: { values: [{ a: 'x', b: 1 }] },
      mark: 'bar',
      encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(marks(svg, 'rect')).toBe(1);
  });

  it('the fault window: recorded, from the kill events, or the whole load for a chaos fault', () => {
    expect(faultWindow(run('none'), experiment)).toEqual({ fromS: 2, toS: 4.7, label: 'SIGKILL section-1' });
    expect(faultWindow(run('none', { faultWindow: { fromMs: 500, label: 'fault on' } }), experiment)).toEqual({
      fromS: 0.5,
      toS: 3,
      label: 'fault on',
    });
    const sick = EXPERIMENTS.find((e) => e.name === 'sick-section')!;
    expect(faultWindow(run('none', { events: [] }), sick)).toMatchObject({ fromS: 0, toS: 3 });
  });

  it('latency and success over time: a line per mode in each panel, the fault shaded', async () => {
    const chart = await timelineChart(result([run('none'), run('client')]), experiment);
    if (!('svg' in chart)) throw new Error(chart.note);
    expect(marks(chart.svg, 'line')).toBe(2 * 2 + 2); // latency: p50 and p99 per mode; success: one per mode
    expect(marks(chart.svg, 'rect')).toBe(2); // the fault window in each panel
    expect(chart.svg).toContain('latency per second');
  });

  it('percentile curves from the histograms; a side without one is named, not drawn', async () => {
    const both = await percentileChart('p', [
      { name: 'none', runs: [run('none')] },
      { name: 'client', runs: [run('client')] },
    ]);
    if (!('svg' in both)) throw new Error(both.note);
    expect(marks(both.svg, 'line')).toBe(2); // one per mode
    expect(both.svg).not.toContain('no histogram');
    const half = await percentileChart('p', [
      { name: 'A · none', runs: [run('none', {}, false)] },
      { name: 'B · none', runs: [run('none')] },
    ]);
    expect('svg' in half && half.svg).toContain('no histogram in A · none');
    const none = await percentileChart('p', [{ name: 'A · none', runs: [run('none', {}, false)] }]);
    expect(none).toEqual({
      title: 'p',
      note: 'no histogram in A · none (result recorded before histograms were saved)',
    });
  });
});
