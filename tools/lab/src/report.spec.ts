import { EXPERIMENTS } from './experiments.js';
import { coverageCell, coverageTable, renderComparison, renderReport } from './report.js';
import { RESULT_SCHEMA, type LabResult } from './types.js';

const base: LabResult = {
  schema: RESULT_SCHEMA,
  status: 'complete',
  target: 'local',
  modes: ['none', 'client'],
  profile: 'short',
  experiments: EXPERIMENTS.filter((e) => e.name === 'sick-section'),
  startedAt: '2026-11-21T10:00:00.000Z',
  finishedAt: '2026-11-21T10:01:00.000Z',
  git: { commit: '0123456789abcdef', dirty: false },
  versions: { node: 'v24.21.0' },
  machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 4, platform: 'linux', node: 'v24.21.0' },
  runs: [
    {
      experiment: 'sick-section',
      mode: 'none',
      status: 'ok',
      events: [],
      metrics: { successRate: 0.7, p99Ms: 30 },
      frames: {
        sent: 10,
        acknowledged: 7,
        stored: 7,
        lost: 3,
        ackedNotStored: 0,
        storeRows: 7,
        storeDistinct: 7,
        storeDuplicates: 0,
        duplicateDeliveries: 0,
        resent: 0,
        lostAfterResend: null,
      },
      hypothesis: { held: true, bounds: [{ metric: 'successRate', op: '<', value: 0.85, actual: 0.7, held: true }] },
    },
  ],
  held: true,
};

describe('report', () => {
  it('has one row per experiment and mode, and says which were not run', () => {
    const md = renderReport(base, {
      'success-rate.svg': { title: 'Success', svg: '<svg></svg>' },
      'loss.svg': { title: 'Lost', note: 'nothing measured' },
    });
    expect(md.split('\n')[0]).toBe('# Resilience lab: local (none vs client)');
    expect(md).toContain('| sick-section | none | 70.0% |');
    expect(md).toContain('| sick-section | client | not run |');
    expect(md).toContain('successRate < 85.0% → 70.0% ✓');
    expect(md).toContain('![Success](success-rate.svg)');
    expect(md).toContain('<!-- chart-note: loss.svg -->\n*Lost: nothing measured*');
  });

  it('an overload run shows its reference just before, and in which 5 s it was not acknowledged', () => {
    const run = {
      ...base.runs[0],
      metrics: { ...base.runs[0].metrics, pairedGoodputShare: 1.16 },
      reference: {
        rate: 22,
        durationMs: 20_000,
        sent: 440,
        acknowledged: 381,
        p99Ms: 488,
        growthMs: 16,
        sustained: false,
        okPerSecond: 18.79,
        status: { '201': 381, '503': 59 },
        unacknowledgedPer5s: [41, 10, 6, 2],
        warmUp: { durationMs: 5_000, sent: 110, acknowledged: 104 },
      },
    };
    const md = renderReport({ ...base, runs: [run] });
    expect(md).toContain(
      'just before, on the same stack, at the calibrated rate (22/s for 20 s after 5 s at it to warm up, 104 of 110 acknowledged): 381 of 440 acknowledged (18.79/s), p99 488 ms, ' +
        'latency growth 16 ms, statuses 201: 381, 503: 59 (not acknowledged per 5 s: 41 / 10 / 6 / 2) → not sustained; ' +
        'stored per second under the overload / that: 1.160 (pairedGoodputShare)',
    );
    // a reference that acknowledged everything has nothing to place
    const clean = { ...run, reference: { ...run.reference, acknowledged: 440, unacknowledgedPer5s: [0, 0, 0, 0] } };
    expect(renderReport({ ...base, runs: [clean] })).not.toContain('per 5 s');
    // a result from before the warm-up at the rate
    const { warmUp: _, ...older } = run.reference;
    expect(renderReport({ ...base, runs: [{ ...run, reference: older }] })).toContain(
      'at the calibrated rate (22/s for 20 s): 381 of 440',
    );
  });

  it('an incomplete result says so on its first line', () => {
    const md = renderReport({ ...base, status: 'incomplete', error: 'collector exited' });
    expect(md.split('\n')[0]).toBe('# INCOMPLETE RUN: do not use these numbers');
    expect(md).toContain('collector exited');
  });

  it('compare puts two results side by side', () => {
    const other: LabResult = {
      ...base,
      runs: [
        { ...base.runs[0], metrics: { successRate: 0.5, p99Ms: 40 }, frames: { ...base.runs[0].frames!, lost: 5 } },
      ],
    };
    const md = renderComparison(
      { label: 'a', result: base },
      { label: 'b', result: { ...other, status: 'incomplete' } },
    );
    // No raw histogram on either side: the latency cells say so instead of showing a number.
    expect(md).toContain(
      '| sick-section | none | 70.0% | 50.0% | −20.0 pt | no histogram in A | no histogram in B | – | no histogram in A | no histogram in B | – | 3 | 5 | held | held |',
    );
    expect(md).toContain('INCOMPLETE');
  });
});

describe('the coverage table', () => {
  const all: LabResult = { ...base, experiments: EXPERIMENTS };
  const table = coverageTable(all).join('\n');
  const row = (name: string) => table.split('\n').find((l) => l.includes(`| ${name} |`))!;

  it('lists every experiment with its scenario and says where it was measured', () => {
    for (const e of EXPERIMENTS) expect(row(e.name)).toContain(`| ${e.scenario} | ${e.name} |`);
    expect(row('sick-section')).toContain('measured: held');
  });

  it('never shows an unmeasured cell as a result', () => {
    expect(
      coverageCell(
        all,
        EXPERIMENTS.find((e) => e.name === 'sick-section')!,
        'client',
      ),
    ).toBe('not run');
    expect(
      coverageCell(
        all,
        EXPERIMENTS.find((e) => e.name === 'sick-section')!,
        'istio',
      ),
    ).toBe('not measured here (`--target cluster`)');
    expect(
      coverageCell(
        all,
        EXPERIMENTS.find((e) => e.name === 'authz-403')!,
        'istio',
      ),
    ).toBe('defined, not measured yet');
    expect(
      coverageCell(
        all,
        EXPERIMENTS.find((e) => e.name === 'outlier-ejection')!,
        'none',
      ),
    ).toBe('cluster-only (local: sick-section-50)');
    const unmeasured = table
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.includes('| sick-section |'))
      .flatMap((l) => l.split('|').slice(4, -1));
    expect(unmeasured.filter((c) => /measured:|\d+(\.\d+)?\s*(%|ms)/.test(c))).toEqual([]);
  });
});
