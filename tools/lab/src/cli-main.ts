/** The lab's command line (see USAGE). Exit status: 0 ok, 1 the run failed midway, 2 bad input, 3 a hypothesis did not hold. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatBound } from './hypothesis.js';
import { EXPERIMENTS, LabUsageError, selectExperiments } from './experiments.js';
import { LabError } from './http.js';
import { planFor, runLab } from './lab.js';
import { renderComparison, writeComparison, writeReport } from './report.js';
import { REPO_ROOT } from '@airport-mesh/local-stack';
import { RESULT_SCHEMA, type LabResult, type TargetKind } from './types.js';

export const USAGE = `usage: airport-mesh-lab <command> [options]      (node tools/lab/dist/cli.js …)

commands:
  run        run the experiments and write results/<date>-<target>/ (result.json, report.md,
             report.html: self-contained, the charts inline; *.svg)
  list       the experiments, their faults and hypotheses
  report DIR   write DIR's report.md, report.html and charts again from DIR/result.json (after a
             change of the report code; the measurements are not touched)
  compare A B  two result folders side by side with deltas (B − A): Markdown on stdout, or with
             --out DIR: DIR/comparison.md, DIR/comparison.html and the charts

run options:
  --target local|cluster   local: starts its own stacks (RESILIENCE=none, then client) on ports +24000;
                           cluster: the current kubectl context, plain overlay vs Istio overlay   [local]
  --only a,b               only these experiments (see list)
  --short                  the short profile (seconds per experiment, the two-service experiments only; what CI
                           runs); the full profile calibrates the rate on the whole pipeline first
  --repeats N              runs per experiment × mode (local)                           [3 full, 1 short]
  --duration S             full profile: seconds of load per experiment instead of each one's own
  --rate R                 full profile, local: frames/s instead of the calibrated rate (no calibration)
  --out DIR                folder the result folder goes into                              [results]
  --name NAME              the result folder's name                     [<YYYY-MM-DD>-<target>]
  --port-offset N          local: added to every service port                                [24000]
  --yes                    cluster: allow deleting and recreating namespace airport-mesh per mode
  --ingress-plain H:P      cluster: ingress address for the plain overlay (default: discovered)
  --ingress-istio H:P      cluster: ingress address for the Istio overlay (default: discovered)

exit status: 0 every hypothesis held; 3 the run completed but a hypothesis did not hold;
             1 the run failed midway (folder <name>-INCOMPLETE, status "incomplete"); 2 bad input.
`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: NodeJS.ProcessEnv;
}

const OPTIONS = {
  target: { type: 'string' },
  only: { type: 'string' },
  short: { type: 'boolean' },
  out: { type: 'string' },
  name: { type: 'string' },
  'port-offset': { type: 'string' },
  yes: { type: 'boolean' },
  repeats: { type: 'string' },
  duration: { type: 'string' },
  rate: { type: 'string' },
  'ingress-plain': { type: 'string' },
  'ingress-istio': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true });
  } catch (error) {
    throw new LabUsageError((error as Error).message.split('\n')[0]);
  }
}

export function readResult(dir: string): LabResult {
  const file = resolve(dir, 'result.json');
  if (!existsSync(file)) throw new LabUsageError(`${dir}: no result.json (not a lab result folder)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LabUsageError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const r = parsed as Partial<LabResult>;
  if (r.schema !== RESULT_SCHEMA || !Array.isArray(r.runs) || !Array.isArray(r.modes))
    throw new LabUsageError(`${file}: not a lab result (schema ${String(r.schema)}, expected ${RESULT_SCHEMA})`);
  return r as LabResult;
}

function hostPort(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(value.replace(/^https?:\/\//, '').replace(/\/$/, '')))
    throw new LabUsageError(`bad ${flag} '${value}': use host:port`);
  return value;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    if (command === 'list') {
      for (const e of EXPERIMENTS) {
        io.out(
          `${e.name}: ${e.title}\n  fault: ${e.faultDescription}\n  load: ${e.load.rate}/s for ${e.load.durationMs / 1000} s (short: ${planFor(e, 'short').durationMs / 1000} s)\n`,
        );
        io.out(`  scenario: deploy/scenarios/${e.scenario}\n  measures: ${e.measures}\n`);
        io.out(`  local: ${e.local ? e.local.services.join(' + ') : e.localSkipReason}\n`);
        if (e.cluster?.measurement === 'pending')
          io.out('  cluster: defined, not measured yet (reported as skipped)\n');
        for (const [mode, bounds] of Object.entries(e.hypothesis.bounds))
          io.out(`  ${mode}: ${bounds.map(formatBound).join('; ')}\n`);
      }
      return 0;
    }
    if (command === 'compare') {
      if (rest.length !== 2) throw new LabUsageError('compare needs two result folders: compare <dirA> <dirB>');
      const [a, b] = rest.map((dir) => ({ label: basename(resolve(dir)), result: readResult(dir) }));
      if (values.out) {
        await writeComparison(resolve(values.out), a, b);
        io.out(`${resolve(values.out)}/comparison.html\n`);
      } else io.out(renderComparison(a, b));
      return 0;
    }
    if (command === 'report') {
      if (rest.length !== 1) throw new LabUsageError('report needs one result folder: report <dir>');
      const dir = resolve(rest[0]);
      await writeReport(dir, readResult(dir), REPO_ROOT);
      io.out(`${dir}/report.html\n`);
      return 0;
    }
    if (command !== 'run') throw new LabUsageError(`unknown command '${command}': use run, list, report or compare`);
    if (rest.length) throw new LabUsageError(`unexpected argument '${rest[0]}'`);
    const target = (values.target ?? 'local') as TargetKind;
    if (target !== 'local' && target !== 'cluster')
      throw new LabUsageError(`unknown target '${values.target}': use local or cluster`);
    const only = values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const experiments = selectExperiments(only);
    const portOffset = values['port-offset'] === undefined ? undefined : Number(values['port-offset']);
    if (portOffset !== undefined && !(Number.isInteger(portOffset) && portOffset >= 0 && portOffset <= 50_000))
      throw new LabUsageError(`bad --port-offset '${values['port-offset']}': an integer 0–50000`);
    if (target === 'local' && experiments.every((e) => !e.local))
      throw new LabUsageError(`none of ${experiments.map((e) => e.name).join(', ')} runs locally (cluster-only)`);
    const positive = (flag: string, value: string | undefined, max: number, integer: boolean) => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!(Number.isFinite(n) && n > 0 && n <= max && (!integer || Number.isInteger(n))))
        throw new LabUsageError(`bad --${flag} '${value}': ${integer ? 'an integer' : 'a number'} > 0 and ≤ ${max}`);
      return n;
    };
    const repeats = positive('repeats', values.repeats, 20, true);
    const durationS = positive('duration', values.duration, 600, false);
    const rate = positive('rate', values.rate, 200, false);
    const ingress = {
      plain: hostPort('--ingress-plain', values['ingress-plain']),
      istio: hostPort('--ingress-istio', values['ingress-istio']),
    };
    const outcome = await runLab({
      target,
      experiments,
      profile: values.short ? 'short' : 'full',
      outRoot: values.out ? resolve(values.out) : undefined,
      name: values.name,
      portOffset,
      repeats,
      durationMs: durationS === undefined ? undefined : Math.round(durationS * 1000),
      rate,
      log: (line) => io.err(`${line}\n`),
      cluster: { yes: values.yes === true, ingress, env: io.env },
    });
    const r = outcome.result;
    if (r.status !== 'complete') {
      io.err(`lab: run failed: ${r.error}\nlab: partial results (status "incomplete") in ${outcome.dir}\n`);
    } else {
      io.out(`${outcome.dir}/report.md\n`);
      const notHeld = r.runs.filter((x) => x.hypothesis && !x.hypothesis.held);
      if (notHeld.length)
        io.err(`lab: hypothesis not held: ${notHeld.map((x) => `${x.experiment} [${x.mode}]`).join(', ')}\n`);
    }
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof LabUsageError) {
      io.err(`lab: ${error.message}\nRun with --help for usage.\n`);
      return 2;
    }
    if (error instanceof LabError) {
      io.err(`lab: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
