/**
 * "What the mesh takes off the application": per resilience feature, the lines of configuration the Istio
 * scenario adds (counted in the real files under deploy/) against the lines of code and configuration
 * that implement it in `client` mode (counted in the real sources of libs/platform), and the measured
 * outcome of each mode side by side from a result. Only the list of which declarations and YAML keys
 * belong to which feature is written here; every count is read from the files when the report is made,
 * so it follows the code. A mode without a measurement says why and shows no number.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { coverageCell } from './report.js';
import { ALL_MODES, okRuns } from './charts.js';
import { EXPERIMENTS } from './experiments.js';
import { formatMetric } from './hypothesis.js';
import { LOCAL_MODES, type Experiment, type LabResult, type MetricName, type Mode } from './types.js';

/** Declarations of a TypeScript file: top-level names, `Class.member`, or a class field such as `RESILIENCE_RETRIES`. */
interface CodeSource {
  file: string;
  names: string[];
}

export interface Feature {
  name: string;
  /** The mesh side: scenario folder and the YAML keys (or JSON-patch path ends) that configure the feature; `*` = whole files. */
  mesh?: { dir: string; keys: string[] };
  /** The client side: the declarations implementing it, and its environment settings. */
  client?: CodeSource[];
  /** Why the client mode has nothing for it. */
  clientNone?: string;
  /** Experiments measuring it: those of these scenario folders (and their local counterparts). */
  scenarios: string[];
}

const RESILIENCE_TS = 'libs/platform/src/clients/resilience.ts';
const SERVICE_CLIENTS_TS = 'libs/platform/src/clients/service-clients.ts';
const BASE_ENV_TS = 'libs/platform/src/config/base-env.ts';

export const FEATURES: Feature[] = [
  {
    name: 'timeouts',
    mesh: { dir: 'deploy/scenarios/timeout', keys: ['timeout'] },
    client: [
      { file: RESILIENCE_TS, names: ['TargetPolicies.timeout', 'deadlineAdapter'] },
      { file: BASE_ENV_TS, names: ['RESILIENCE_TIMEOUT_MS', 'HTTP_DEADLINE_MS'] },
    ],
    scenarios: ['timeout'],
  },
  {
    name: 'retries (backoff, jitter, idempotency)',
    mesh: { dir: 'deploy/scenarios/retries', keys: ['retries'] },
    client: [
      {
        file: RESILIENCE_TS,
        names: [
          'IDEMPOTENT_METHODS',
          'RETRYABLE_STATUS',
          'isIdempotent',
          'replayable',
          'isRetryable',
          'retryAfterMs',
          'backoffHonouringRetryAfter',
          'TargetPolicies.retryPolicy',
          'RetryBudget',
          'TargetPolicies.spend',
        ],
      },
      {
        file: BASE_ENV_TS,
        names: [
          'RESILIENCE_RETRIES',
          'RESILIENCE_BACKOFF_MS',
          'RESILIENCE_BACKOFF_MAX_MS',
          'RESILIENCE_RETRY_BUDGET_PERCENT',
          'RESILIENCE_RETRY_BUDGET_MIN_PER_SEC',
        ],
      },
    ],
    scenarios: ['retries'],
  },
  {
    name: 'circuit breaker / bulkhead (connection pool)',
    mesh: { dir: 'deploy/scenarios/circuit-breaker', keys: ['connectionPool'] },
    client: [
      { file: RESILIENCE_TS, names: ['isBreakerFailure', 'CIRCUIT_OPEN', 'BULKHEAD_FULL'] },
      {
        file: BASE_ENV_TS,
        names: [
          'RESILIENCE_BREAKER_THRESHOLD',
          'RESILIENCE_BREAKER_HALF_OPEN_MS',
          'RESILIENCE_BULKHEAD',
          'RESILIENCE_BULKHEAD_QUEUE',
        ],
      },
    ],
    scenarios: ['circuit-breaker'],
  },
  {
    name: 'outlier ejection',
    mesh: { dir: 'deploy/scenarios/outlier-detection', keys: ['outlierDetection'] },
    clientNone: 'none: a client breaker is per target (a Service), it cannot eject one replica',
    scenarios: ['outlier-detection'],
  },
  {
    name: 'rate limit',
    mesh: { dir: 'deploy/scenarios/rate-limit', keys: ['*'] },
    clientNone: 'none in the clients (a server would need its own limiter)',
    scenarios: ['rate-limit'],
  },
];

const isCodeLine = (line: string) => {
  const t = line.trim();
  return t !== '' && !t.startsWith('//') && !t.startsWith('/*') && !t.startsWith('*') && !t.startsWith('*/');
};
const isYamlLine = (line: string) => line.trim() !== '' && !line.trim().startsWith('#');
const indentOf = (line: string) => line.length - line.trimStart().length;

/** Non-blank, non-comment lines of a TypeScript text between two offsets. */
function codeLines(text: string, start: number, end: number): number {
  return text.slice(start, end).split('\n').filter(isCodeLine).length;
}

/** Line counts of the named declarations of a TypeScript file (decorators and the body included, comments not). */
export function declarationLines(path: string, names: string[]): Record<string, number> {
  const text = readFileSync(path, 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: Record<string, number> = {};
  const nameOf = (n: ts.Node): string | undefined => {
    const name = (n as { name?: ts.Node }).name;
    return name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined;
  };
  const take = (key: string, node: ts.Node) => {
    if (names.includes(key)) found[key] = codeLines(text, node.getStart(sf), node.getEnd());
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) take(nameOf(d) ?? '', st);
    else if (nameOf(st)) take(nameOf(st)!, st);
    if (ts.isClassDeclaration(st)) {
      for (const m of st.members) {
        const member = ts.isConstructorDeclaration(m) ? 'constructor' : nameOf(m);
        if (!member) continue;
        take(`${nameOf(st)}.${member}`, m);
        take(member, m); // a class field named by itself (the environment's RESILIENCE_* settings)
      }
    }
  }
  const missing = names.filter((n) => found[n] === undefined);
  if (missing.length) throw new Error(`${path}: no declaration ${missing.join(', ')} (update FEATURES in offload.ts)`);
  return found;
}

/** Lines of the YAML blocks configuring `key` (a mapping `key:` or a JSON-patch operation whose path ends in /key). */
export function yamlKeyLines(text: string, key: string): number {
  const lines = text.split('\n');
  let count = 0;
  const counted = new Set<number>();
  /** The line and every following line indented deeper (a list item's or a mapping's contents). */
  const block = (from: number) => {
    const base = indentOf(lines[from]);
    for (let i = from; i < lines.length; i++) {
      if (i > from && isYamlLine(lines[i]) && indentOf(lines[i]) <= base) break;
      if (isYamlLine(lines[i]) && !counted.has(i)) {
        counted.add(i);
        count++;
      }
    }
  };
  lines.forEach((line, i) => {
    const t = line.trim();
    if (t.startsWith(`${key}:`) || t.startsWith(`- ${key}:`)) block(i);
    const path = /^path:\s*(\S+)$/.exec(t);
    if (path && path[1].split('/').pop() === key) {
      // the list item `- op: …` this path belongs to
      let op = i;
      while (op > 0 && !lines[op].trimStart().startsWith('- op:')) op--;
      block(op);
    }
  });
  return count;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => join(dir, f));
}

export interface OffloadRow {
  feature: string;
  meshLines: number | null;
  meshScenarioLines: number | null;
  meshWhere: string;
  clientLines: number | null;
  clientWhere: string;
  outcome: Record<Mode, string>;
}

export interface OffloadTable {
  rows: OffloadRow[];
  /** Lines every feature shares: the client's policy plumbing and the switch of each side. */
  shared: { clientLines: number; clientWhere: string; meshLines: number; meshWhere: string };
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The measured outcome of an experiment in a mode (median over repeats), or why there is none. */
export function outcomeCell(result: LabResult, experiment: Experiment, mode: Mode): string {
  const runs = okRuns(result, experiment.name, mode);
  if (runs.length === 0) return `${experiment.name}: ${coverageCell(result, experiment, mode)}`;
  const metric = (m: MetricName) => {
    const v = runs.map((r) => r.metrics[m]).filter((x): x is number => typeof x === 'number');
    return v.length ? formatMetric(m, median(v)) : undefined;
  };
  const parts: string[] = [];
  if (experiment.kind === 'frames') {
    const success = metric('successRate');
    const p99 = metric('p99Ms');
    const lost = metric('lostFrames');
    if (success) parts.push(`success ${success}`);
    if (p99) parts.push(`p99 ${p99}`);
    if (lost) parts.push(`lost ${lost}`);
    const perFrame = metric('dependencyRequestsPerFrame');
    const bounded = Object.values(experiment.hypothesis.bounds).some((bs) =>
      (bs ?? []).some((b) => b.metric === 'dependencyRequestsPerFrame'),
    );
    if (perFrame && bounded) parts.push(`${perFrame} section requests/frame`);
  } else {
    for (const b of experiment.hypothesis.bounds[mode] ?? []) {
      const v = metric(b.metric);
      if (v) parts.push(`${b.metric} ${v}`);
    }
  }
  const held = runs.filter((r) => r.hypothesis?.held).length;
  const judged = runs.filter((r) => r.hypothesis).length;
  const verdict = judged ? `; held ${held}/${judged}` : '';
  const n = runs.length > 1 ? ` (median of ${runs.length})` : '';
  return `${experiment.name}: ${parts.join(', ') || 'measured'}${n}${verdict}`;
}

export function offloadTable(result: LabResult, repoRoot: string): OffloadTable {
  const attributed: Record<string, number> = {};
  const rows = FEATURES.map((f): OffloadRow => {
    let meshLines: number | null = null;
    let meshScenarioLines: number | null = null;
    let meshWhere = 'no mesh configuration in deploy/';
    if (f.mesh && existsSync(join(repoRoot, f.mesh.dir))) {
      const files = yamlFiles(join(repoRoot, f.mesh.dir));
      const texts = files.map((p) => readFileSync(p, 'utf8'));
      meshScenarioLines = texts.reduce((n, t) => n + t.split('\n').filter(isYamlLine).length, 0);
      meshLines = f.mesh.keys.includes('*')
        ? texts
            .filter((_, i) => !files[i].endsWith('kustomization.yaml'))
            .reduce((n, t) => n + t.split('\n').filter(isYamlLine).length, 0)
        : texts.reduce((n, t) => n + f.mesh!.keys.reduce((k, key) => k + yamlKeyLines(t, key), 0), 0);
      meshWhere = `${f.mesh.dir} (${f.mesh.keys.includes('*') ? 'the non-kustomization files' : f.mesh.keys.map((k) => `\`${k}\``).join(', ')})`;
    }
    let clientLines: number | null = null;
    let clientWhere = f.clientNone ?? '';
    if (f.client) {
      clientLines = 0;
      const where: string[] = [];
      for (const src of f.client) {
        const counts = declarationLines(join(repoRoot, src.file), src.names);
        for (const n of Object.values(counts)) {
          clientLines += n;
          attributed[src.file] = (attributed[src.file] ?? 0) + n;
        }
        where.push(`${src.file}: ${src.names.join(', ')}`);
      }
      clientWhere = where.join('; ');
    }
    const outcome = {} as Record<Mode, string>;
    // The catalogue's experiments of the feature's scenarios (a result written before experiments named
    // their scenario still has them by name), as the result ran them when it did.
    const asRun = (e: Experiment) => result.experiments.find((x) => x.name === e.name) ?? e;
    const experiments = EXPERIMENTS.filter((e) => f.scenarios.includes(e.scenario)).map(asRun);
    for (const mode of ALL_MODES) {
      const local = (LOCAL_MODES as readonly Mode[]).includes(mode);
      const shown = new Map<string, Experiment>();
      for (const e of experiments) {
        const counterpart = EXPERIMENTS.find((c) => c.name === e.localCounterpart);
        const x = local && !e.local && counterpart ? asRun(counterpart) : e;
        if (x) shown.set(x.name, x);
      }
      outcome[mode] = shown.size
        ? [...shown.values()].map((e) => outcomeCell(result, e, mode)).join('<br>')
        : 'no experiment in this result';
    }
    return { feature: f.name, meshLines, meshScenarioLines, meshWhere, clientLines, clientWhere, outcome };
  });
  // What no single feature owns: the rest of the client policy code, and each side's on/off switch.
  const plumbing = [RESILIENCE_TS, SERVICE_CLIENTS_TS];
  let clientShared = 0;
  for (const file of plumbing) {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    clientShared += text.split('\n').filter(isCodeLine).length - (attributed[file] ?? 0);
  }
  clientShared += declarationLines(join(repoRoot, BASE_ENV_TS), ['RESILIENCE']).RESILIENCE;
  const switchLines = (dir: string) =>
    yamlFiles(join(repoRoot, dir)).reduce(
      (n, p) => n + readFileSync(p, 'utf8').split('\n').filter(isYamlLine).length,
      0,
    );
  return {
    rows,
    shared: {
      clientLines: clientShared + switchLines('deploy/components/resilience-client'),
      clientWhere: `the rest of ${plumbing.join(' and ')} (policy wiring, adapter, metrics), \`RESILIENCE\` in ${BASE_ENV_TS}, deploy/components/resilience-client`,
      meshLines: switchLines('deploy/components/resilience-mesh'),
      meshWhere: 'deploy/components/resilience-mesh (RESILIENCE=none, so retries are not multiplied)',
    },
  };
}

/** The table as Markdown. */
export function offloadMarkdown(table: OffloadTable): string[] {
  const lines = [
    '## What the mesh takes off the application',
    '',
    "Per resilience feature: the lines of Istio configuration that turn it on (counted in the scenario files under `deploy/`, the feature's own blocks, then the whole scenario folder with its patch targets), against the lines of code and configuration that implement it in `client` mode (counted in the sources; non-blank, non-comment lines), and what each mode measured (median over repeats). Counts are computed from the files when the report is written.",
    '',
    `| feature | Istio: lines (whole scenario) | client mode: lines of code + config | ${ALL_MODES.join(' | ')} |`,
    `| --- | ---: | ---: | ${ALL_MODES.map(() => '---').join(' | ')} |`,
  ];
  for (const r of table.rows)
    lines.push(
      `| ${r.feature} | ${r.meshLines ?? '–'}${r.meshScenarioLines !== null ? ` (${r.meshScenarioLines})` : ''} | ${r.clientLines ?? r.clientWhere} | ${ALL_MODES.map((m) => r.outcome[m]).join(' | ')} |`,
    );
  lines.push(
    `| shared by all | ${table.shared.meshLines} | ${table.shared.clientLines} | ${ALL_MODES.map(() => '').join(' | ')} |`,
    '',
    'Where the lines were counted:',
    '',
  );
  for (const r of table.rows) lines.push(`- ${r.feature}: Istio ${r.meshWhere}; client ${r.clientWhere || '–'}`);
  lines.push(`- shared: Istio ${table.shared.meshWhere}; client ${table.shared.clientWhere}`, '');
  return lines;
}
