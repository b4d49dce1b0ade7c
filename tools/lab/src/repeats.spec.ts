import {
  DEFAULT_CRITERION,
  experimentRateFor,
  latencyGrowthMs,
  lowerRate,
  nextRate,
  sustained,
  unacknowledgedPer,
} from './calibration.js';
import { median, notAcknowledged, notAcknowledgedWhen, renderRepeats, spread, summarise } from './repeats.js';
import { RESULT_SCHEMA, type LabResult, type Run } from './types.js';

const run = (mode: 'none' | 'client', repeat: number, successRate: number, held: boolean): Run => ({
  experiment: 'sick-section',
  mode,
  repeat,
  status: 'ok',
  events: [],
  metrics: { successRate, alertsRaised: 10 * repeat },
  hypothesis: { held, bounds: [] },
});

describe('repeats', () => {
  it('median and spread', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(spread([0.9, 0.7, 0.8])).toEqual({ median: 0.8, min: 0.7, max: 0.9, n: 3 });
    expect(spread([])).toBeUndefined();
  });

  it('a hypothesis holds only if it held in every run, else it says in how many', () => {
    const summaries = summarise([
      run('none', 1, 0.7, true),
      run('none', 2, 0.72, true),
      run('none', 3, 0.69, true),
      run('client', 1, 1, true),
      run('client', 2, 0.98, false),
      run('client', 3, 1, true),
    ]);
    expect(summaries.map((s) => [s.mode, s.runs, s.held, s.heldInEveryRun])).toEqual([
      ['none', 3, 3, true],
      ['client', 3, 2, false],
    ]);
    expect(summaries[1].metrics.successRate).toEqual({ median: 1, min: 0.98, max: 1, n: 3 });
    const result = {
      schema: RESULT_SCHEMA,
      repeats: 3,
      summaries,
      calibration: {
        services: ['collector'],
        mode: 'none',
        env: { FRAMES_TARGET_LATENCY_MS: '300' },
        criterion: { minSuccessRate: 0.99, maxP99Ms: 1000, maxGrowthMs: 250 },
        steps: [
          { rate: 2, durationMs: 6000, sent: 12, ok: 12, successRate: 1, p99Ms: 300, growthMs: 12, sustained: true },
          {
            rate: 4,
            durationMs: 6000,
            sent: 24,
            ok: 20,
            successRate: 20 / 24,
            p99Ms: 3000,
            growthMs: 2100,
            cores: { 'image-analysis': 1.5, collector: 0.25, lab: 0.1 },
            status: { '201': 20, '502': 1, '503': 2 },
            unacknowledgedPer5s: [3, 1],
            sustained: false,
          },
          {
            rate: 2,
            durationMs: 20000,
            sent: 40,
            ok: 40,
            successRate: 1,
            p99Ms: 310,
            growthMs: 5,
            confirmation: true,
            sustained: true,
          },
        ],
        sustainedRate: 2,
        fraction: 0.5,
        experimentRate: 1,
        elapsedMs: 1,
      },
    } as unknown as LabResult;
    const md = renderRepeats(result);
    expect(md).toContain('sustained **2 frames/s**');
    // the calibration names the configuration it measured: the overload experiment's door
    expect(md).toContain('collector (RESILIENCE=none, FRAMES_TARGET_LATENCY_MS=300, no fault)');
    expect(md).toContain("first quarter's + 250 ms");
    // what was not acknowledged, by status: the door's 503s, a 502 behind it, one frame without an answer
    expect(md).toContain(
      '| 4 | 24 | 20 | 502: 1, 503: 2, no answer: 1 (per 5 s: 3 / 1) | 83.3% | 3000 | 2100 | 1.50 / 0.25 / 0.10 / 1.85 | no |',
    );
    expect(md).toContain('| 2 | 12 | 12 | – | 100.0% | 300 | 12.0 | – | yes |');
    // the ramp's best rate, held as long as a reference to confirm it
    expect(md).toContain('then held the highest sustained rate as long as a reference to confirm it');
    expect(md).toContain('| 2 (confirming, 20 s) | 40 | 40 | – | 100.0% | 310 | 5.0 | – | yes |');
    // a step from before the statuses were kept, and one whose only loss is frames without an answer
    expect(notAcknowledged({ sent: 24, ok: 20 })).toBe('4 not acknowledged');
    expect(notAcknowledged({ sent: 24, ok: 22, status: { '201': 22 } })).toBe('no answer: 2');
    // the calibration's log line says when, where the step recorded it
    expect(notAcknowledgedWhen({ sent: 24, ok: 20 })).toBe('4 not acknowledged');
    expect(
      notAcknowledgedWhen({ sent: 24, ok: 22, status: { '201': 22, '503': 2 }, unacknowledgedPer5s: [2, 0] }),
    ).toBe('503: 2 (per 5 s: 2 / 0)');
    expect(md).toContain('| sick-section | client | 3 | 100.0% (98.0%–100.0%) |');
    expect(md).toContain('held in 2 of 3');
    expect(md).toContain('held in every run (3/3)');
  });

  it('a calibration step is sustained with success ≥ the minimum, p99 under the bound and no growing latency; experiments run at half', () => {
    const c = { minSuccessRate: 0.99, maxP99Ms: 1000, maxGrowthMs: 250 };
    expect(sustained({ successRate: 0.99, p99Ms: 999, growthMs: 250 }, c)).toBe(true);
    expect(sustained({ successRate: 0.98, p99Ms: 10, growthMs: 0 }, c)).toBe(false);
    expect(sustained({ successRate: 1, p99Ms: 1000, growthMs: 0 }, c)).toBe(false);
    expect(sustained({ successRate: null, p99Ms: null, growthMs: null }, c)).toBe(false);
    // a queue that grows: every answer in time and under the p99 bound, but the step is above capacity
    expect(sustained({ successRate: 1, p99Ms: 900, growthMs: 600 }, c)).toBe(false);
    // the default since round 9: the edge steps of results/2026-12-01-local-saturate-adaptive-d (20 and 21
    // frames/s, latency growing 233 and 133 ms) are not sustained, its clean steps (growth ≤ 59 ms) are
    expect(DEFAULT_CRITERION).toEqual({ minSuccessRate: 0.99, maxP99Ms: 1000, maxGrowthMs: 100 });
    expect(sustained({ successRate: 1, p99Ms: 488, growthMs: 233 }, DEFAULT_CRITERION)).toBe(false);
    expect(sustained({ successRate: 1, p99Ms: 369, growthMs: 133 }, DEFAULT_CRITERION)).toBe(false);
    expect(sustained({ successRate: 1, p99Ms: 185, growthMs: 0 }, DEFAULT_CRITERION)).toBe(true);
    expect(sustained({ successRate: 1, p99Ms: 301, growthMs: 59 }, DEFAULT_CRITERION)).toBe(true);
    expect(experimentRateFor(8, 0.5)).toBe(4);
    // the growth: median of the last quarter's per-second medians minus the first quarter's
    const seconds = (p50: (number | null)[]) => p50.map((p50Ms) => ({ p50Ms }));
    expect(latencyGrowthMs(seconds([100, 120, 200, 300, 400, 500, 600, 700]))).toBe(650 - 110);
    expect(latencyGrowthMs(seconds([150, 90, 160, 120, 140, 100, 130, 110]))).toBe(120 - 120);
    expect(latencyGrowthMs(seconds([null, 100, null, 400]))).toBe(300);
    expect(latencyGrowthMs(seconds([100, null]))).toBeNull();
  });

  it('counts what a step did not acknowledge in each 5 s of its per-second timeline', () => {
    const second = (i: number, intended: number, ok: number) => ({ startMs: i * 1000, intended, ok });
    // a slow start: 9 refused in the first 5 s, 1 in the next, none in the last (a partial slice)
    const timeline = [
      second(0, 22, 16),
      second(1, 22, 19),
      ...[2, 3, 4].map((i) => second(i, 22, 22)),
      ...[5, 6, 7, 8].map((i) => second(i, 22, 22)),
      second(9, 22, 21),
      second(10, 22, 22),
      second(11, 22, 22),
    ];
    expect(unacknowledgedPer(timeline)).toEqual([9, 1, 0]);
    expect(unacknowledgedPer(timeline, 1000).slice(0, 3)).toEqual([6, 3, 0]);
    // a second without any frame still has its slice
    expect(unacknowledgedPer([second(0, 2, 2), second(11, 3, 1)])).toEqual([0, 0, 2]);
    expect(unacknowledgedPer([])).toEqual([]);
  });

  it('the ramp goes up its rates, then one frame/s at a time between the highest sustained and the lowest failed rate', () => {
    const ramp = [1, 2, 4, 8, 12, 16];
    const steps = (...s: [number, boolean][]) => s.map(([rate, sustained]) => ({ rate, sustained }));
    expect(nextRate(ramp, [])).toBe(1);
    expect(nextRate(ramp, steps([1, true], [2, true]))).toBe(4);
    expect(nextRate(ramp, steps([1, true], [2, true], [4, true], [8, true], [12, true], [16, true]))).toBeUndefined();
    expect(nextRate(ramp, steps([1, true], [2, true], [4, true], [8, true], [12, false]))).toBe(9);
    expect(nextRate(ramp, steps([8, true], [12, false], [9, true]))).toBe(10);
    expect(nextRate(ramp, steps([8, true], [12, false], [9, true], [10, false]))).toBeUndefined();
    expect(nextRate(ramp, steps([8, true], [12, false], [9, true], [10, true], [11, true]))).toBeUndefined();
    expect(nextRate(ramp, steps([1, false]))).toBeUndefined();
    expect(experimentRateFor(1, 0.5)).toBe(1);
    expect(experimentRateFor(3, 0.5)).toBe(2);
  });

  it('after a confirmation step fails, confirms what it acknowledged per second, at least one frame/s lower', () => {
    // round 13's references at 23/s: 395 of 460 acknowledged (19.75/s) → 19
    expect(lowerRate({ rate: 23, ok: 395, sent: 460 })).toBe(19);
    // a near miss still steps down one
    expect(lowerRate({ rate: 20, ok: 199, sent: 200 })).toBe(19);
    // nothing acknowledged, or nothing below 1 frame/s: nothing left to try
    expect(lowerRate({ rate: 5, ok: 0, sent: 100 })).toBe(0);
    expect(lowerRate({ rate: 1, ok: 9, sent: 10 })).toBe(0);
  });
});
