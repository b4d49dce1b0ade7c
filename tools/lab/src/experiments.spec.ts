import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DOOR_TARGET_MS, EXPERIMENTS, PIPELINE, TWO_SERVICES } from './experiments.js';
import { calibrationEnv, planFor } from './lab.js';
import { CLUSTER_MODES, LOCAL_MODES, METRICS } from './types.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const SCENARIOS = join(ROOT, 'deploy/scenarios');
/** The real directory listing, not a copy of it. */
const scenarioDirs = readdirSync(SCENARIOS).filter((d) => statSync(join(SCENARIOS, d)).isDirectory());

describe('the experiment catalogue', () => {
  it('reads the scenario directories of the repository', () => {
    expect(scenarioDirs.length).toBeGreaterThanOrEqual(20);
  });

  it.each(scenarioDirs)('scenario %s has an experiment', (dir) => {
    expect(EXPERIMENTS.filter((e) => e.scenario === dir).map((e) => e.name)).not.toEqual([]);
  });

  it('≥ 12 experiments run locally in both modes, the frames ones on the whole pipeline but the section breaker', () => {
    const local = EXPERIMENTS.filter((e) => e.local);
    expect(local.length).toBeGreaterThanOrEqual(12);
    for (const e of local) for (const m of LOCAL_MODES) expect(e.hypothesis.bounds[m]?.length).toBeGreaterThan(0);
    const frames = local.filter((e) => !e.local!.request);
    // `overload` needs ≥ 10 frames/s, more than the whole pipeline sustains on the lab's machine (experiments.ts);
    // the breaker on the whole pipeline is `overload-analysis`.
    for (const e of frames.filter((x) => x.name !== 'overload'))
      expect(e.local!.services).toEqual(expect.arrayContaining(PIPELINE));
    expect(EXPERIMENTS.find((e) => e.name === 'overload')!.local!.services).toEqual(TWO_SERVICES);
    expect(EXPERIMENTS.find((e) => e.name === 'overload-analysis')!.local!.services).toEqual(PIPELINE);
    expect(PIPELINE).toEqual(expect.arrayContaining(['image-analysis', 'face-recognition', 'alerts', 'cpanel']));
    // faults where the seeds put them: alerts, image-analysis, camera-agent, cpanel, section, face-recognition
    const faulted = new Set(local.flatMap((e) => ('service' in e.local!.fault ? [e.local!.fault.service] : [])));
    // the one experiment without an injected fault overloads the whole pipeline at 2× its sustained rate
    expect(local.filter((e) => e.local!.fault.kind === 'none').map((e) => e.name)).toEqual(['saturate-analysis']);
    expect(EXPERIMENTS.find((e) => e.name === 'saturate-analysis')!.local!.services).toEqual(PIPELINE);
    for (const s of [
      'alerts',
      'image-analysis',
      'camera-agent-1',
      'cpanel',
      'collector',
      'section-1',
      'face-recognition',
    ])
      expect(faulted).toContain(s);
    // the --short (CI) profile keeps the two-service form
    expect(local.filter((e) => e.local!.shortServices).map((e) => e.name)).toEqual([
      'sick-section',
      'sick-section-50',
      'slow-section',
      'overload',
      'kill-section',
    ]);
  });

  it('names only scenarios that exist, and every name once', () => {
    expect(EXPERIMENTS.map((e) => e.scenario).filter((s) => !scenarioDirs.includes(s))).toEqual([]);
    expect(new Set(EXPERIMENTS.map((e) => e.name)).size).toBe(EXPERIMENTS.length);
  });

  it.each(EXPERIMENTS.map((e) => [e.name, e] as const))(
    '%s has a steady state, a fault, what it measures and bounds for every mode it runs in',
    (_name, e) => {
      expect(e.steadyState.length).toBeGreaterThan(10);
      expect(e.faultDescription.length).toBeGreaterThan(10);
      expect(e.measures.length).toBeGreaterThan(10);
      expect(e.hypothesis.statement.length).toBeGreaterThan(10);
      const bounded = Object.entries(e.hypothesis.bounds).flatMap(([, b]) => b ?? []);
      expect(bounded.filter((b) => !(b.metric in METRICS))).toEqual([]);
      if (e.local) for (const m of LOCAL_MODES) expect(e.hypothesis.bounds[m]?.length).toBeGreaterThan(0);
      else expect(e.localSkipReason).toBeTruthy();
      expect(['chaos', 'kill-pod', 'none']).toContain(e.cluster?.fault.kind);
      // the scenario's own directory is what one of the modes applies
      const manifests = CLUSTER_MODES.map((m) => e.cluster!.manifests[m]);
      for (const path of manifests) expect(existsSync(join(ROOT, path, 'kustomization.yaml'))).toBe(true);
      expect(manifests).toContain(`deploy/scenarios/${e.scenario}`);
      expect(CLUSTER_MODES.some((m) => (e.hypothesis.bounds[m]?.length ?? 0) > 0)).toBe(true);
      if (e.localCounterpart) {
        // the counterpart runs locally and its fault lands on one of the services it starts
        const local = EXPERIMENTS.find((x) => x.name === e.localCounterpart)?.local;
        expect(local?.fault.kind).not.toBe('none');
        expect(local?.services).toContain(local && 'service' in local.fault ? local.fault.service : undefined);
      }
    },
  );
});

describe('the load plan of the full profile', () => {
  const byName = (name: string) => EXPERIMENTS.find((e) => e.name === name)!;

  it('offers an overload experiment a multiple of the sustained rate and records that rate', () => {
    const e = byName('saturate-analysis');
    expect(e.load.overload).toBe(2);
    // calibrated: sustained 16 frames/s (experiments at 8)
    expect(planFor(e, 'full', { rate: 8, sustainedRate: 16 })).toMatchObject({ rate: 32, sustainedRate: 16 });
    // `--rate 5` without a calibration: the experiments' rate is half the sustained one
    expect(planFor(e, 'full', { rate: 5, durationMs: 8_000 })).toMatchObject({
      rate: 20,
      sustainedRate: 10,
      durationMs: 8_000,
    });
    // other experiments ignore the sustained rate
    expect(planFor(byName('sick-section'), 'full', { rate: 8, sustainedRate: 16 })).not.toHaveProperty('sustainedRate');
    expect(planFor(byName('sick-section'), 'full', { rate: 8, sustainedRate: 16 }).rate).toBe(8);
  });

  it('calibrates with the configuration of the overload experiment, so that it offers twice what that configuration sustains', () => {
    expect(calibrationEnv(EXPERIMENTS, 'full')).toEqual({ FRAMES_TARGET_LATENCY_MS: String(DOOR_TARGET_MS) });
    expect(calibrationEnv([byName('sick-section'), byName('kill-section')], 'full')).toBeUndefined();
  });

  it('gives the collector an adaptive door in saturate-analysis, not one sized for the calibrated rate', () => {
    const e = byName('saturate-analysis');
    expect(e.local!.env).toEqual({ FRAMES_TARGET_LATENCY_MS: String(DOOR_TARGET_MS) });
    expect(DOOR_TARGET_MS).toBe(300);
    // no other experiment has a door that adapts: a slow section there must not be refused at the door
    for (const other of EXPERIMENTS.filter((x) => x.name !== 'saturate-analysis')) {
      expect(other.local?.env ?? {}).not.toHaveProperty('FRAMES_TARGET_LATENCY_MS');
    }
  });

  it('raises a calibrated rate below an experiment’s minRate to it, and keeps a higher one', () => {
    for (const name of ['overload', 'overload-analysis']) {
      const e = byName(name);
      expect(e.load.minRate).toBeGreaterThanOrEqual(6);
      expect(planFor(e, 'full', { rate: 1, durationMs: 8_000 })).toMatchObject({
        rate: e.load.minRate,
        durationMs: 8_000,
      });
      expect(planFor(e, 'full', { rate: 40 }).rate).toBe(40);
    }
    // an experiment without a minRate runs at the calibrated rate; the short profile keeps its own plan
    expect(planFor(byName('sick-section'), 'full', { rate: 1 }).rate).toBe(1);
    expect(planFor(byName('overload'), 'short', { rate: 1 }).rate).toBe(byName('overload').load.rate);
  });
});
