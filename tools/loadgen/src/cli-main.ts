import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { LoadgenError } from './errors.js';
import { DEFAULTS, resolveOptions, runLoad } from './run.js';
import { formatSummary } from './summary.js';
import type { LoadOptions, OverflowPolicy } from './types.js';
import { parseDuration, parseRate } from './units.js';

export const USAGE = `Usage: node tools/loadgen/dist/cli.js --url URL --rate R --duration D [options]

Sends requests at a constant rate (open model: request i is due at i/rate, whatever the earlier ones
did) and reports latency from each intended start, service time, status codes and errors.

Required:
  --url URL               target, http(s); loopback (localhost, 127.0.0.0/8, ::1) unless --allow-remote
  --rate R                requests per second: 50, 50/s or 600/m
  --duration D            how long requests are scheduled: 500ms, 10s, 2m
Options:
  --method M              HTTP method (default ${DEFAULTS.method})
  --header 'name: value'  a request header; repeatable
  --body TEXT             request body
  --body-file FILE        request body from FILE (Content-Type application/json by default for *.json)
  --timeout D             per-request timeout from the send (default ${DEFAULTS.timeoutMs}ms)
  --max-in-flight N       bound on requests in flight (default ${DEFAULTS.maxInFlight})
  --overflow drop|queue   a request due at the bound is dropped, or queued and sent late (default ${DEFAULTS.overflow})
  --drain D               queue mode: how long after the schedule queued requests may still go (default: the timeout)
  --late-threshold D      send lag that counts a request as late (default ${DEFAULTS.lateThresholdMs}ms)
  --max-requests N        cap on scheduled requests
  --json FILE             write the JSON result to FILE ('-': to stdout, the summary then goes to stderr)
  --allow-remote          allow a non-loopback target (explicit opt-in)
  --skip-reachability-check  do not open a TCP connection to the target before the run
  -h, --help              this text

Exit status: 0 the run completed (its errors are in the result), 1 the run failed (e.g. the target is
unreachable), 2 bad usage.
`;

/** A command-line mistake: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CliPlan {
  options: LoadOptions;
  /** Where the JSON result goes: a file, '-' for stdout, or nowhere. */
  json: string | undefined;
}

const OPTIONS = {
  url: { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  method: { type: 'string' },
  header: { type: 'string', multiple: true },
  body: { type: 'string' },
  'body-file': { type: 'string' },
  timeout: { type: 'string' },
  'max-in-flight': { type: 'string' },
  overflow: { type: 'string' },
  drain: { type: 'string' },
  'late-threshold': { type: 'string' },
  'max-requests': { type: 'string' },
  json: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  'skip-reachability-check': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function wholeNumber(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1)
    throw new UsageError(`bad ${flag} '${text}': use a whole number ≥ 1`);
  return Number(text);
}

function header(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = colon > 0 ? text.slice(0, colon).trim() : '';
  if (!name)
    throw new UsageError(`bad --header '${text}': use 'name: value', e.g. --header 'content-type: application/json'`);
  return [name, text.slice(colon + 1).trim()];
}

function rewordParseError(err: Error & { code?: string }): UsageError {
  const quoted = /'([^']+)'/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option ${quoted ?? err.message}`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument ${quoted ?? err.message}: every value follows its --option`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return new UsageError(`${quoted ? `option ${quoted.split(' ')[0]}` : 'an option'} needs a value`);
    default:
      return new UsageError(err.message);
  }
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    throw rewordParseError(err as Error);
  }
}

/**
 * Turns the command line into load options; `undefined` for --help. Throws UsageError for unknown
 * flags, missing or malformed values, and options the library rejects (bad URL, bad rate, …).
 */
export async function parseCli(argv: string[]): Promise<CliPlan | undefined> {
  const { values } = parseFlags(argv);
  if (values.help) return undefined;
  const missing = (['url', 'rate', 'duration'] as const).filter((k) => values[k] === undefined);
  if (missing.length) throw new UsageError(`missing ${missing.map((k) => `--${k}`).join(', ')}`);
  if (values.body !== undefined && values['body-file'] !== undefined)
    throw new UsageError('give --body or --body-file, not both');

  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw err instanceof LoadgenError ? new UsageError(err.message) : err;
    }
  };
  const headers: Record<string, string> = {};
  for (const h of values.header ?? []) {
    const [name, value] = header(h);
    headers[name.toLowerCase()] = value;
  }
  let body: string | Uint8Array | undefined = values.body;
  const bodyFile = values['body-file'];
  if (bodyFile !== undefined) {
    try {
      body = await readFile(bodyFile);
    } catch (err) {
      throw new UsageError(
        `cannot read --body-file ${bodyFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
    if (bodyFile.endsWith('.json') && !('content-type' in headers)) headers['content-type'] = 'application/json';
  }
  const overflow = values.overflow;
  if (overflow !== undefined && overflow !== 'drop' && overflow !== 'queue') {
    throw new UsageError(`bad --overflow '${overflow}': use drop or queue`);
  }
  const options: LoadOptions = {
    url: values.url!,
    rate: wrap(() => parseRate(values.rate!)),
    durationMs: wrap(() => parseDuration(values.duration!, '--duration')),
    method: values.method,
    headers,
    body,
    timeoutMs: values.timeout === undefined ? undefined : wrap(() => parseDuration(values.timeout!, '--timeout')),
    maxInFlight:
      values['max-in-flight'] === undefined ? undefined : wholeNumber('--max-in-flight', values['max-in-flight']),
    overflow: overflow as OverflowPolicy | undefined,
    drainMs: values.drain === undefined ? undefined : wrap(() => parseDuration(values.drain!, '--drain')),
    lateThresholdMs:
      values['late-threshold'] === undefined
        ? undefined
        : wrap(() => parseDuration(values['late-threshold']!, '--late-threshold')),
    maxRequests:
      values['max-requests'] === undefined ? undefined : wholeNumber('--max-requests', values['max-requests']),
    allowRemote: values['allow-remote'] === true,
    checkReachable: values['skip-reachability-check'] !== true,
  };
  wrap(() => resolveOptions(options)); // every bound the library checks, reported as a usage error
  return { options, json: values.json };
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborts the run early (the CLI wires SIGINT/SIGTERM to it); the partial result is still written. */
  signal?: AbortSignal;
}

/** Runs the CLI; resolves with the exit status. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let plan: CliPlan | undefined;
  try {
    plan = await parseCli(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`loadgen: ${err.message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (!plan) {
    io.stdout(USAGE);
    return 0;
  }
  try {
    const result = await runLoad({ ...plan.options, signal: io.signal });
    const summary = formatSummary(result);
    if (plan.json === '-') {
      io.stderr(summary);
      io.stdout(JSON.stringify(result, null, 2) + '\n');
    } else {
      if (plan.json !== undefined) await writeFile(plan.json, JSON.stringify(result, null, 2) + '\n');
      io.stdout(summary);
    }
    return 0;
  } catch (err) {
    const message = err instanceof LoadgenError ? err.message : (err as Error).message;
    io.stderr(`loadgen: ${message}\n`);
    return err instanceof LoadgenError && (err.code === 'INVALID_OPTIONS' || err.code === 'TARGET_NOT_ALLOWED') ? 2 : 1;
  }
}
