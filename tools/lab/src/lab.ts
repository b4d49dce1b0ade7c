/**
 * One lab run: every selected experiment in every mode of the target, then result.json, report.md and
 * the charts. Results are written into a hidden temporary folder and renamed at the end; a run that
 * fails midway is renamed to `<name>-INCOMPLETE` with `status: "incomplete"` and a report that says so
 * on its first line, so a partial run never looks like a complete one.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@airport-mesh/local-stack';
import { NAMESPACE, runClusterExperiments, type ClusterOptions } from './cluster.js';
import { gitState, machineInfo, versions } from './environment.js';
import { LabUsageError } from './experiments.js';
import { evaluate } from './hypothesis.js';
import { calibrate, EXPERIMENT_FRACTION } from './calibration.js';
import { checkLocalPrerequisites, runLocalExperiment } from './local.js';
import { summarise } from './repeats.js';
import { writeReport } from './report.js';
import {
  CLUSTER_MODES,
  LOCAL_MODES,
  RESULT_SCHEMA,
  type Experiment,
  type LabResult,
  type LoadPlan,
  type Mode,
  type Run,
  type TargetKind,
} from './types.js';

export interface LabOptions {
  target: TargetKind;
  experiments: Experiment[];
  profile: 'full' | 'short';
  /** Folder the result folder goes into (default <repo>/results). */
  outRoot?: string;
  /** Exact result folder name (default `<YYYY-MM-DD>-<target>`, with -2, -3… when taken). */
  name?: string;
  log?: (line: string) => void;
  portOffset?: number;
  cluster?: Omit<ClusterOptions, 'log'>;
  /** Runs per experiment × mode (default 3 in the full profile, 1 in `--short`). */
  repeats?: number;
  /** Full profile: every experiment's load duration instead of its own (to fit a time budget). */
  durationMs?: number;
  /** Full profile, local: this frame rate instead of the calibrated one (no calibration). */
  rate?: number;
}

export interface LabOutcome {
  result: LabResult;
  dir: string;
  /** 0 complete and every hypothesis held; 3 complete, some did not hold; 1 incomplete. */
  exitCode: number;
}

export function planFor(
  experiment: Experiment,
  profile: 'full' | 'short',
  override: { rate?: number; durationMs?: number; sustainedRate?: number } = {},
): LoadPlan {
  if (profile === 'short') return { ...experiment.load, ...experiment.short };
  // an overload experiment offers a multiple of what the machine sustains (without a calibration, `--rate`
  // is the experiments' rate: EXPERIMENT_FRACTION of the sustained one)
  const sustainedRate = override.sustainedRate ?? (override.rate ? override.rate / EXPERIMENT_FRACTION : undefined);
  if (experiment.load.overload && sustainedRate && !experiment.local?.request)
    return {
      ...experiment.load,
      rate: Math.round(experiment.load.overload * sustainedRate),
      sustainedRate,
      ...(override.durationMs ? { durationMs: durationFor(experiment, override.durationMs) } : {}),
    };
  return {
    ...experiment.load,
    // The calibrated rate is for camera frames through the pipeline; a read load keeps its own rate, and an
    // experiment that cannot be decided below its `minRate` runs at least at that rate.
    ...(override.rate && !experiment.local?.request
      ? { rate: Math.max(override.rate, experiment.load.minRate ?? 0) }
      : {}),
    ...(override.durationMs ? { durationMs: durationFor(experiment, override.durationMs) } : {}),
  };
}

/**
 * A shortened duration for one experiment: a kill experiment keeps at least 10 s of load after the kill, so the
 * restart and the recovery after it are inside the measured window.
 */
function durationFor(experiment: Experiment, durationMs: number): number {
  const fault = experiment.local?.fault;
  return fault?.kind === 'kill' ? Math.max(durationMs, fault.atMs + 10_000) : durationMs;
}

/**
 * The service environment the calibration runs with: that of the selected overload experiment (the one that
 * offers a multiple of the sustained rate, so that rate must be what its configuration sustains), if any.
 */
export function calibrationEnv(
  experiments: Experiment[],
  profile: 'full' | 'short',
): Record<string, string> | undefined {
  return experiments.find((e) => e.load.overload && e.local?.env && localServicesFor(e, profile))?.local?.env;
}

/** The services an experiment runs in a profile, or undefined when it does not run locally in it. */
export function localServicesFor(experiment: Experiment, profile: 'full' | 'short'): string[] | undefined {
  if (!experiment.local) return undefined;
  return profile === 'short' ? experiment.local.shortServices : experiment.local.services;
}

function folderName(outRoot: string, target: TargetKind, name?: string): string {
  if (name) {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.'))
      throw new LabUsageError(`bad result folder name '${name}': letters, digits, . _ - only`);
    if (existsSync(join(outRoot, name)))
      throw new LabUsageError(`${join(outRoot, name)} exists already: choose another --name`);
    return name;
  }
  const base = `${new Date().toISOString().slice(0, 10)}-${target}`;
  for (let i = 1; ; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    if (!existsSync(join(outRoot, candidate)) && !existsSync(join(outRoot, `${candidate}-INCOMPLETE`)))
      return candidate;
  }
}

export async function runLab(options: LabOptions): Promise<LabOutcome> {
  const log = options.log ?? (() => undefined);
  if (options.experiments.length === 0) throw new LabUsageError('no experiment selected');
  if (options.target === 'cluster' && !options.cluster?.yes) {
    throw new LabUsageError(
      `the cluster target deletes and recreates namespace ${NAMESPACE} once per mode; run again with --yes to allow it`,
    );
  }
  const outRoot = options.outRoot ?? join(REPO_ROOT, 'results');
  mkdirSync(outRoot, { recursive: true });
  const name = folderName(outRoot, options.target, options.name);
  const modes: Mode[] = options.target === 'local' ? [...LOCAL_MODES] : [...CLUSTER_MODES];
  const repeats = options.repeats ?? (options.profile === 'short' ? 1 : 3);
  if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= 20))
    throw new LabUsageError(`bad repeats ${repeats}: an integer 1–20`);
  const result: LabResult = {
    schema: RESULT_SCHEMA,
    status: 'incomplete',
    target: options.target,
    modes,
    profile: options.profile,
    experiments: options.experiments,
    startedAt: new Date().toISOString(),
    git: gitState(),
    versions: versions(),
    machine: machineInfo(),
    runs: [],
    // Repeats are a local feature for now: the cluster driver runs each experiment × mode once.
    repeats: options.target === 'local' ? repeats : 1,
  };
  const judge = (run: Run, experiment: Experiment) => {
    const bounds = experiment.hypothesis.bounds[run.mode];
    if (run.status === 'ok' && bounds) run.hypothesis = evaluate(bounds, run.metrics);
    result.runs.push(run);
    const verdict =
      run.status !== 'ok'
        ? run.status
        : run.hypothesis
          ? run.hypothesis.held
            ? 'hypothesis held'
            : 'hypothesis NOT held'
          : 'no bounds';
    log(`  ${experiment.name} [${run.mode}]: ${verdict}${run.note ? ` (${run.note})` : ''}`);
  };

  const tmp = join(outRoot, `.${name}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    if (options.target === 'local') {
      checkLocalPrerequisites(options.experiments);
      const portOffset = options.portOffset ?? 24_000;
      let rate = options.rate;
      const framesServices = options.experiments.find(
        (e) => e.local && !e.local.request && localServicesFor(e, options.profile),
      );
      if (options.profile === 'full' && rate === undefined && framesServices) {
        // An overload experiment offers a multiple of the sustained rate, so the calibration measures the
        // configuration it runs (saturate-analysis: the collector's adaptive door); the other experiments run
        // at a fraction of that rate, below what any configuration sustains (docs/lab.md, "Calibration").
        const env = calibrationEnv(options.experiments, options.profile);
        const calibration = await calibrate({
          services: framesServices.local!.services,
          portOffset,
          log,
          ...(env ? { env } : {}),
        });
        result.calibration = calibration;
        rate = calibration.experimentRate;
      }
      const override = {
        rate,
        durationMs: options.durationMs,
        ...(result.calibration ? { sustainedRate: result.calibration.sustainedRate } : {}),
      };
      result.parameters = {
        ...(rate ? { rate } : {}),
        ...(options.durationMs ? { durationMs: options.durationMs } : {}),
        plans: Object.fromEntries(options.experiments.map((e) => [e.name, planFor(e, options.profile, override)])),
      };
      for (let repeat = 1; repeat <= repeats; repeat++) {
        for (const mode of LOCAL_MODES) {
          for (const experiment of options.experiments) {
            log(`${experiment.name} [RESILIENCE=${mode}]${repeats > 1 ? ` run ${repeat}/${repeats}` : ''}`);
            const services = localServicesFor(experiment, options.profile);
            if (experiment.local && !services) {
              judge(
                {
                  experiment: experiment.name,
                  mode,
                  ...(repeats > 1 ? { repeat } : {}),
                  status: 'skipped',
                  note: 'whole pipeline only: runs in the full profile, not in --short',
                  events: [],
                  metrics: {},
                },
                experiment,
              );
              continue;
            }
            try {
              judge(
                await runLocalExperiment(experiment, mode, planFor(experiment, options.profile, override), {
                  portOffset,
                  log,
                  services,
                  ...(repeats > 1 ? { repeat } : {}),
                }),
                experiment,
              );
            } catch (error) {
              const run = (error as { run?: Run }).run;
              if (run) result.runs.push(run);
              throw error;
            }
          }
        }
      }
    } else {
      await runClusterExperiments(
        options.experiments,
        options.profile,
        { ...options.cluster, log },
        (run, experiment) => judge(run, experiment),
      );
    }
    result.status = 'complete';
  } catch (error) {
    result.error = (error as Error).message;
  }
  result.finishedAt = new Date().toISOString();
  result.summaries = summarise(result.runs);
  const judged = result.runs.filter((r) => r.hypothesis);
  result.held =
    judged.length > 0 && judged.every((r) => r.hypothesis!.held) && result.runs.every((r) => r.status !== 'failed');
  await writeReport(tmp, result, REPO_ROOT);
  const dir = join(outRoot, result.status === 'complete' ? name : `${name}-INCOMPLETE`);
  renameSync(tmp, dir);
  const exitCode = result.status !== 'complete' ? 1 : result.held ? 0 : 3;
  return { result, dir, exitCode };
}
