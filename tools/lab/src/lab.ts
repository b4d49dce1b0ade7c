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
import { checkLocalPrerequisites, runLocalExperiment } from './local.js';
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
}

export interface LabOutcome {
  result: LabResult;
  dir: string;
  /** 0 complete and every hypothesis held; 3 complete, some did not hold; 1 incomplete. */
  exitCode: number;
}

export function planFor(experiment: Experiment, profile: 'full' | 'short'): LoadPlan {
  return profile === 'short' ? { ...experiment.load, ...experiment.short } : experiment.load;
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
      for (const mode of LOCAL_MODES) {
        for (const experiment of options.experiments) {
          log(`${experiment.name} [RESILIENCE=${mode}]`);
          try {
            judge(
              await runLocalExperiment(experiment, mode, planFor(experiment, options.profile), {
                portOffset: options.portOffset ?? 24_000,
                log,
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
  const judged = result.runs.filter((r) => r.hypothesis);
  result.held =
    judged.length > 0 && judged.every((r) => r.hypothesis!.held) && result.runs.every((r) => r.status !== 'failed');
  await writeReport(tmp, result, REPO_ROOT);
  const dir = join(outRoot, result.status === 'complete' ? name : `${name}-INCOMPLETE`);
  renameSync(tmp, dir);
  const exitCode = result.status !== 'complete' ? 1 : result.held ? 0 : 3;
  return { result, dir, exitCode };
}
