import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream';
import { LoadgenError, classifyError, errorCode, type ErrorKind } from './errors.js';
import { LatencyRecorder } from './histogram.js';
import { assertReachable, parseTarget } from './target.js';
import {
  RESULT_SCHEMA,
  type BodyFactory,
  type LoadOptions,
  type LoadResult,
  type OverflowPolicy,
  type RequestBody,
  type RequestParts,
  type TimelineBucket,
} from './types.js';

/** Bounds that keep every run finite. */
export const LIMITS = {
  maxRate: 100_000,
  maxDurationMs: 3_600_000,
  maxTimeoutMs: 600_000,
  maxInFlight: 10_000,
  maxScheduled: 10_000_000,
} as const;

export const DEFAULTS = {
  method: 'GET',
  timeoutMs: 2_000,
  maxInFlight: 256,
  overflow: 'drop' as OverflowPolicy,
  lateThresholdMs: 10,
} as const;

interface Settings {
  target: URL;
  method: string;
  headers: Record<string, string>;
  body: RequestBody | BodyFactory | undefined;
  rate: number;
  durationMs: number;
  timeoutMs: number;
  maxInFlight: number;
  overflow: OverflowPolicy;
  drainMs: number;
  lateThresholdMs: number;
  maxRequests: number | null;
  scheduled: number;
  checkReachable: boolean;
  signal: AbortSignal | undefined;
  onResponse: LoadOptions['onResponse'];
}

const invalid = (message: string) => new LoadgenError('INVALID_OPTIONS', message);

function positive(name: string, value: unknown, max: number, unit = ''): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw invalid(`bad ${name} ${String(value)}: must be a number > 0 and ≤ ${max}${unit}`);
  }
  return value;
}

function nonNegative(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw invalid(`bad ${name} ${String(value)}: must be a number ≥ 0 and ≤ ${max}`);
  }
  return value;
}

function integer(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw invalid(`bad ${name} ${String(value)}: must be a whole number ≥ 1 and ≤ ${max}`);
  }
  return value;
}

function checkHeaders(headers: Record<string, string>, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    try {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
    } catch (err) {
      throw invalid(`bad header '${name}' in ${where}: ${(err as Error).message}`);
    }
    out[name.toLowerCase()] = String(value);
  }
  return out;
}

/** Validates the options and fills in the defaults. Throws LoadgenError (INVALID_OPTIONS, TARGET_NOT_ALLOWED). */
export function resolveOptions(options: LoadOptions): Settings {
  if (!options || typeof options !== 'object') throw invalid('options are required: { url, rate, durationMs }');
  if (options.url === undefined) throw invalid('url is required');
  const target = parseTarget(options.url, options.allowRemote === true);
  const rate = positive('rate', options.rate, LIMITS.maxRate, ' requests/s');
  const durationMs = positive('duration', options.durationMs, LIMITS.maxDurationMs, ' ms');
  const timeoutMs = positive('timeout', options.timeoutMs ?? DEFAULTS.timeoutMs, LIMITS.maxTimeoutMs, ' ms');
  const maxInFlight = integer('maxInFlight', options.maxInFlight ?? DEFAULTS.maxInFlight, LIMITS.maxInFlight);
  const overflow = options.overflow ?? DEFAULTS.overflow;
  if (overflow !== 'drop' && overflow !== 'queue')
    throw invalid(`bad overflow '${String(overflow)}': use drop or queue`);
  const drainMs = nonNegative('drain', options.drainMs ?? timeoutMs, LIMITS.maxTimeoutMs);
  const lateThresholdMs = nonNegative(
    'lateThreshold',
    options.lateThresholdMs ?? DEFAULTS.lateThresholdMs,
    LIMITS.maxTimeoutMs,
  );
  const maxRequests =
    options.maxRequests === undefined ? null : integer('maxRequests', options.maxRequests, LIMITS.maxScheduled);
  const method = (options.method ?? DEFAULTS.method).toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw invalid(`bad method '${options.method}': use an HTTP method such as GET or POST`);
  const body = options.body;
  if (body !== undefined && typeof body !== 'string' && typeof body !== 'function' && !(body instanceof Uint8Array)) {
    throw invalid('bad body: give a string, a Uint8Array or a function (ctx) => body | { body, headers }');
  }
  const headers = checkHeaders(options.headers ?? {}, 'headers');
  if (options.onResponse !== undefined && typeof options.onResponse !== 'function')
    throw invalid('bad onResponse: give a function ({ index, status }) => void');
  const bySchedule = Math.floor((rate * durationMs) / 1000 + 1e-9);
  if (bySchedule > LIMITS.maxScheduled) {
    throw invalid(
      `rate × duration schedules ${bySchedule} requests, more than the ${LIMITS.maxScheduled} a run may send`,
    );
  }
  if (bySchedule < 1)
    throw invalid(`rate ${rate}/s for ${durationMs} ms schedules no request: raise the rate or the duration`);
  const scheduled = maxRequests === null ? bySchedule : Math.min(bySchedule, maxRequests);
  return {
    target,
    method,
    headers,
    body,
    rate,
    durationMs,
    timeoutMs,
    maxInFlight,
    overflow,
    drainMs,
    lateThresholdMs,
    maxRequests,
    scheduled,
    checkReachable: options.checkReachable !== false,
    signal: options.signal,
    onResponse: options.onResponse,
  };
}

/**
 * Runs one constant-rate load (open model): request i is due at `start + i × 1000 / rate`, whatever
 * happened to the earlier ones, so a slow target builds a queue instead of slowing the generator
 * down. Latency counts from the intended start (no coordinated omission); service time from the
 * actual send. Resolves with the result once every request has settled; rejects with a LoadgenError
 * for bad options, a target that is not allowed or unreachable, or a failing body factory.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const settings = resolveOptions(options);
  if (settings.checkReachable) await assertReachable(settings.target, Math.min(settings.timeoutMs, 5_000));
  const AgentClass = settings.target.protocol === 'https:' ? https.Agent : http.Agent;
  const agent = new AgentClass({
    keepAlive: true,
    maxSockets: settings.maxInFlight,
    maxFreeSockets: settings.maxInFlight,
  });
  try {
    return await new Run(settings, agent).execute();
  } finally {
    agent.destroy();
  }
}

interface Due {
  index: number;
  intendedAt: number;
}

class Run {
  private readonly interval: number;
  private readonly request: typeof http.request;
  private readonly latency = new LatencyRecorder();
  private readonly okLatency = new LatencyRecorder();
  private readonly serviceTime = new LatencyRecorder();
  private readonly sendLag = new LatencyRecorder();
  private readonly status: Record<string, number> = {};
  private readonly errorKinds: Record<ErrorKind, number> = {
    timeout: 0,
    connectionRefused: 0,
    connectionReset: 0,
    other: 0,
  };
  private readonly byCode: Record<string, number> = {};
  private readonly queue: Due[] = [];
  private readonly timeline: TimelineBucket[] = [];
  /** Per timeline second: the latency of its requests (p50/p99/max in the result). */
  private readonly bucketLatency: LatencyRecorder[] = [];
  private queueHead = 0;
  private t0 = 0;
  private startWall = 0;
  private next = 0;
  private scheduled = 0;
  private sent = 0;
  private dropped = 0;
  private late = 0;
  private responses = 0;
  private ok = 0;
  private errors = 0;
  private inFlight = 0;
  private lastSettledAt = 0;
  private scheduleDone = false;
  private drainDeadline = Infinity;
  private aborted = false;
  private failure: LoadgenError | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private drainTimer: NodeJS.Timeout | undefined;
  private resolve!: (result: LoadResult) => void;
  private reject!: (err: Error) => void;
  private done = false;

  constructor(
    private readonly s: Settings,
    private readonly agent: http.Agent,
  ) {
    this.interval = 1000 / s.rate;
    this.request = s.target.protocol === 'https:' ? https.request : http.request;
  }

  execute(): Promise<LoadResult> {
    return new Promise<LoadResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.startWall = Date.now();
      this.t0 = performance.now();
      this.lastSettledAt = this.t0;
      const signal = this.s.signal;
      if (signal?.aborted) {
        this.stop(true);
        return;
      }
      signal?.addEventListener('abort', this.onAbort, { once: true });
      this.tick();
    });
  }

  private readonly onAbort = () => this.stop(true);

  /** Sends every request that is due, then sleeps until the next one is. */
  private tick(): void {
    this.tickTimer = undefined;
    const now = performance.now();
    while (this.next < this.s.scheduled && !this.scheduleDone) {
      const intendedAt = this.t0 + this.next * this.interval;
      if (intendedAt > now) break;
      this.dispatch({ index: this.next++, intendedAt });
      this.scheduled = this.next;
    }
    if (this.scheduleDone) return;
    if (this.next >= this.s.scheduled) {
      this.endSchedule();
      return;
    }
    const wait = this.t0 + this.next * this.interval - performance.now();
    this.tickTimer = setTimeout(() => this.tick(), Math.max(0, wait));
  }

  private dispatch(due: Due): void {
    this.bucket(due.index).intended++;
    if (this.inFlight < this.s.maxInFlight) this.send(due);
    else if (this.s.overflow === 'queue') this.queue.push(due);
    else {
      this.dropped++;
      this.bucket(due.index).dropped++;
    }
  }

  /** The timeline bucket of a request: the second of the schedule its intended start falls in. */
  private bucket(index: number): TimelineBucket {
    const second = Math.floor(index / this.s.rate + 1e-9);
    for (let i = this.timeline.length; i <= second; i++) {
      this.timeline.push({ startMs: i * 1000, intended: 0, ok: 0, otherStatus: 0, errors: 0, dropped: 0 });
    }
    return this.timeline[second];
  }

  /** Stops scheduling: at the end of the schedule, on abort, or on a fatal error. */
  private stop(aborted: boolean): void {
    if (aborted) this.aborted = true;
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.tickTimer = undefined;
    if (aborted || this.failure) this.dropQueued();
    this.endSchedule();
  }

  private endSchedule(): void {
    if (this.scheduleDone) return;
    this.scheduleDone = true;
    if (this.queueHead < this.queue.length) {
      this.drainDeadline = this.t0 + (this.scheduled * 1000) / this.s.rate + this.s.drainMs;
      const wait = Math.max(0, this.drainDeadline - performance.now());
      this.drainTimer = setTimeout(() => {
        this.drainTimer = undefined;
        this.dropQueued();
        this.maybeFinish();
      }, wait);
    }
    this.maybeFinish();
  }

  private dropQueued(): void {
    for (let i = this.queueHead; i < this.queue.length; i++) this.bucket(this.queue[i].index).dropped++;
    this.dropped += this.queue.length - this.queueHead;
    this.queue.length = 0;
    this.queueHead = 0;
  }

  /** Sends queued requests while there is room (queue mode). */
  private pump(): void {
    while (this.queueHead < this.queue.length && this.inFlight < this.s.maxInFlight) {
      if (this.scheduleDone && performance.now() > this.drainDeadline) {
        this.dropQueued();
        return;
      }
      const due = this.queue[this.queueHead++];
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      this.send(due);
      if (this.failure) return;
    }
  }

  private parts(index: number, intendedAt: number): { body: RequestBody | undefined; headers: Record<string, string> } {
    const body = this.s.body;
    if (typeof body !== 'function') return { body, headers: this.s.headers };
    const made = body({ index, intendedAtMs: intendedAt - this.t0 });
    if (typeof made === 'string' || made instanceof Uint8Array) return { body: made, headers: this.s.headers };
    if (!made || typeof made !== 'object')
      throw new TypeError(`the body factory returned ${typeof made}, not a body or { body, headers }`);
    const { body: partBody, headers } = made as RequestParts;
    if (partBody !== undefined && typeof partBody !== 'string' && !(partBody instanceof Uint8Array)) {
      throw new TypeError('the body factory returned a body that is neither a string nor a Uint8Array');
    }
    return {
      body: partBody,
      headers: headers ? { ...this.s.headers, ...checkHeaders(headers, 'the body factory') } : this.s.headers,
    };
  }

  private send(due: Due): void {
    let req: http.ClientRequest;
    let body: RequestBody | undefined;
    try {
      const parts = this.parts(due.index, due.intendedAt);
      body = parts.body;
      const headers = { ...parts.headers };
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      req = this.request(this.s.target, { method: this.s.method, headers, agent: this.agent });
    } catch (err) {
      this.fail(
        new LoadgenError('REQUEST_FACTORY_FAILED', `could not build request #${due.index}: ${(err as Error).message}`, {
          cause: err,
        }),
      );
      return;
    }
    const sentAt = performance.now();
    const lag = sentAt - due.intendedAt;
    this.sendLag.record(lag);
    if (lag > this.s.lateThresholdMs) this.late++;
    this.sent++;
    this.inFlight++;

    let settled = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(Object.assign(new Error(`no complete response within ${this.s.timeoutMs} ms`), { code: 'TIMEOUT' }));
    }, this.s.timeoutMs);

    const settle = (status: number | undefined, err?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const end = performance.now();
      this.inFlight--;
      this.lastSettledAt = end;
      if (status !== undefined && !timedOut) {
        this.responses++;
        const key = String(status);
        this.status[key] = (this.status[key] ?? 0) + 1;
        const latency = end - due.intendedAt;
        this.latency.record(latency);
        (this.bucketLatency[Math.floor(due.index / this.s.rate + 1e-9)] ??= new LatencyRecorder()).record(latency);
        this.serviceTime.record(end - sentAt);
        this.s.onResponse?.({ index: due.index, status });
        if (status >= 200 && status < 300) {
          this.ok++;
          this.okLatency.record(latency);
          this.bucket(due.index).ok++;
        } else {
          this.bucket(due.index).otherStatus++;
        }
      } else {
        this.errors++;
        this.bucket(due.index).errors++;
        const kind = classifyError(err, timedOut);
        this.errorKinds[kind]++;
        const code = timedOut ? 'TIMEOUT' : errorCode(err);
        this.byCode[code] = (this.byCode[code] ?? 0) + 1;
      }
      if (!this.failure) this.pump();
      this.maybeFinish();
    };

    req.on('response', (res) => {
      res.resume();
      finished(res, (err) => (err ? settle(undefined, err) : settle(res.statusCode ?? 0)));
    });
    req.on('error', (err) => settle(undefined, err));
    req.end(body);
  }

  private fail(err: LoadgenError): void {
    if (!this.failure) this.failure = err;
    this.stop(false);
  }

  private maybeFinish(): void {
    if (this.done || !this.scheduleDone || this.inFlight > 0 || this.queueHead < this.queue.length) return;
    this.done = true;
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.s.signal?.removeEventListener('abort', this.onAbort);
    if (this.failure) this.reject(this.failure);
    else this.resolve(this.result());
  }

  private result(): LoadResult {
    const s = this.s;
    const elapsedMs = Math.max(0, this.lastSettledAt - this.t0);
    const windowMs = Math.max((this.scheduled * 1000) / s.rate, elapsedMs);
    const perSecond = (n: number) => (windowMs > 0 ? Math.round((n * 1000 * 1000) / windowMs) / 1000 : 0);
    return {
      schema: RESULT_SCHEMA,
      target: { url: s.target.href, method: s.method },
      config: {
        rate: s.rate,
        durationMs: s.durationMs,
        timeoutMs: s.timeoutMs,
        maxInFlight: s.maxInFlight,
        overflow: s.overflow,
        drainMs: s.drainMs,
        lateThresholdMs: s.lateThresholdMs,
        maxRequests: s.maxRequests,
      },
      startedAt: new Date(this.startWall).toISOString(),
      finishedAt: new Date(this.startWall + elapsedMs).toISOString(),
      elapsedMs: Math.round(elapsedMs * 1000) / 1000,
      aborted: this.aborted,
      requests: {
        intended: this.scheduled,
        sent: this.sent,
        dropped: this.dropped,
        late: this.late,
        responses: this.responses,
        ok: this.ok,
        errors: this.errors,
      },
      throughput: {
        intendedRps: s.rate,
        sentRps: perSecond(this.sent),
        achievedRps: perSecond(this.responses),
        okRps: perSecond(this.ok),
        windowMs: Math.round(windowMs * 1000) / 1000,
      },
      status: sortKeys(this.status),
      errors: { ...this.errorKinds, byCode: sortKeys(this.byCode) },
      latencyMs: this.latency.summary(),
      latencyHistogram: this.latency.encode(),
      okLatencyMs: this.okLatency.summary(),
      serviceTimeMs: this.serviceTime.summary(),
      sendLagMs: this.sendLag.summary(),
      timeline: this.timeline.map((b, i) => {
        const l = this.bucketLatency[i];
        return {
          ...b,
          p50Ms: l?.percentile(50) ?? null,
          p99Ms: l?.percentile(99) ?? null,
          maxMs: l?.percentile(100) ?? null,
        };
      }),
    };
  }
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
