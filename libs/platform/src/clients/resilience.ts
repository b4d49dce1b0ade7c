import {
  AxiosError,
  AxiosHeaders,
  isAxiosError,
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios';
import {
  BulkheadPolicy,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  decorrelatedJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isIsolatedCircuitError,
  isTaskCancelledError,
  noop,
  retry,
  timeout,
  type IBackoff,
  type IBackoffFactory,
  type IPolicy,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';
import type { Counter, Gauge } from 'prom-client';
import type { BaseEnv } from '../config/base-env.js';

/** Injection token of the client-side resilience settings (from the validated environment). */
export const RESILIENCE_OPTIONS = Symbol('RESILIENCE_OPTIONS');

/** `RESILIENCE` and its parameters (docs/resilience.md). */
export interface ResilienceOptions {
  mode: 'none' | 'client';
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  backoffMaxMs: number;
  breakerThreshold: number;
  breakerHalfOpenMs: number;
  bulkhead: number;
  bulkheadQueue: number;
  /** Total deadline of one call (HTTP_DEADLINE_MS with `client`, HTTP_TIMEOUT_MS with `none`). */
  deadlineMs?: number;
}

export function resilienceOptionsFrom(env: BaseEnv): ResilienceOptions {
  return {
    mode: env.RESILIENCE,
    timeoutMs: env.RESILIENCE_TIMEOUT_MS,
    retries: env.RESILIENCE_RETRIES,
    backoffMs: env.RESILIENCE_BACKOFF_MS,
    backoffMaxMs: env.RESILIENCE_BACKOFF_MAX_MS,
    breakerThreshold: env.RESILIENCE_BREAKER_THRESHOLD,
    breakerHalfOpenMs: env.RESILIENCE_BREAKER_HALF_OPEN_MS,
    bulkhead: env.RESILIENCE_BULKHEAD,
    bulkheadQueue: env.RESILIENCE_BULKHEAD_QUEUE,
    deadlineMs:
      env.RESILIENCE === 'client' ? env.HTTP_DEADLINE_MS : Math.min(env.HTTP_TIMEOUT_MS, env.HTTP_DEADLINE_MS),
  };
}

/** Error codes of the calls the client-side policies refuse (an `AxiosError`, like every other failure). */
export const CIRCUIT_OPEN = 'ECIRCUITOPEN';
export const BULKHEAD_FULL = 'EBULKHEADFULL';

/** Outcome label of `client_requests_total`. */
export type ClientOutcome =
  'success' | 'http_4xx' | 'http_5xx' | 'timeout' | 'network_error' | 'breaker_open' | 'bulkhead_rejected' | 'canceled';

/** Metrics the policies report into. */
export interface ResilienceMetrics {
  requests: Counter<'target' | 'outcome'>;
  retries: Counter<'target'>;
  breakerState: Gauge<'target'>;
}

const IDEMPOTENT_METHODS = new Set(['get', 'head', 'options', 'put', 'delete', 'trace']);
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/**
 * A call may be repeated when its method is idempotent (RFC 9110 §9.2.2), or it carries an
 * `Idempotency-Key` header, or its client was created with `idempotent: true`.
 */
export function isIdempotent(config: InternalAxiosRequestConfig, clientIdempotent: boolean): boolean {
  if (clientIdempotent) return true;
  if (IDEMPOTENT_METHODS.has((config.method ?? 'get').toLowerCase())) return true;
  return AxiosHeaders.from(config.headers as AxiosHeaders).has('idempotency-key');
}

function replayable(config: InternalAxiosRequestConfig): boolean {
  const data = config.data as { pipe?: unknown } | undefined;
  return !(data && typeof data === 'object' && typeof data.pipe === 'function');
}

/** Retried: network errors and timeouts, 502/503/504 and 429, for idempotent calls; only a refused connection otherwise. */
export function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (!isAxiosError(error) || error.code === AxiosError.ERR_CANCELED) return false;
  if (error.config && !replayable(error.config)) return false;
  if (!idempotent) return error.code === 'ECONNREFUSED' && !error.response; // never reached the server
  return error.response ? RETRYABLE_STATUS.has(error.response.status) : true;
}

/** What counts against a target's breaker: no answer (network, timeout) or a 5xx. A 4xx is the caller's fault. */
export function isBreakerFailure(error: unknown): boolean {
  if (!isAxiosError(error) || error.code === AxiosError.ERR_CANCELED) return false;
  return !error.response || error.response.status >= 500;
}

/** `Retry-After` of a 429/503 answer in milliseconds (delta-seconds or an HTTP date), or 0. */
export function retryAfterMs(error: unknown, now = Date.now()): number {
  if (!isAxiosError(error) || !error.response || ![429, 503].includes(error.response.status)) return 0;
  const value = AxiosHeaders.from(error.response.headers as AxiosHeaders).get('retry-after');
  if (typeof value !== 'string' || !value.trim()) return 0;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}

/** Exponential backoff with decorrelated jitter; a longer `Retry-After` wins, up to `maxMs`. */
function backoffHonouringRetryAfter(
  inner: IBackoffFactory<unknown>,
  maxMs: number,
): IBackoffFactory<IRetryBackoffContext<unknown>> {
  return {
    next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
      const step = inner.next(context);
      const hinted = 'error' in context.result ? retryAfterMs(context.result.error) : 0;
      return {
        duration: Math.min(maxMs, Math.max(step.duration, hinted)),
        next: backoffHonouringRetryAfter(step, maxMs).next,
      };
    },
  };
}

/** The policies of one target (host:port): shared by every client created for it. */
export class TargetPolicies {
  readonly bulkhead: BulkheadPolicy | typeof noop;
  readonly breaker: CircuitBreakerPolicy | typeof noop;
  /** For idempotent calls: retries on transient failures. */
  readonly retryIdempotent: RetryPolicy | typeof noop;
  /** For the others: retries only when the connection was refused (the request never left). */
  readonly retryOther: RetryPolicy | typeof noop;
  private readonly timeouts = new Map<number, IPolicy>();

  constructor(
    readonly target: string,
    private readonly options: ResilienceOptions,
    private readonly metrics: ResilienceMetrics,
  ) {
    this.bulkhead = options.bulkhead > 0 ? bulkhead(options.bulkhead, options.bulkheadQueue) : noop;
    if (options.breakerThreshold > 0) {
      const breaker = circuitBreaker(handleWhen(isBreakerFailure), {
        breaker: new ConsecutiveBreaker(options.breakerThreshold),
        halfOpenAfter: options.breakerHalfOpenMs,
      });
      metrics.breakerState.set({ target }, CircuitState.Closed);
      breaker.onStateChange((state) => metrics.breakerState.set({ target }, state));
      this.breaker = breaker;
    } else {
      this.breaker = noop;
    }
    this.retryIdempotent = this.retryPolicy((e) => isRetryable(e, true));
    this.retryOther = this.retryPolicy((e) => isRetryable(e, false));
  }

  private retryPolicy(predicate: (e: unknown) => boolean): RetryPolicy | typeof noop {
    if (this.options.retries === 0) return noop;
    const backoff = new ExponentialBackoff({
      initialDelay: this.options.backoffMs,
      maxDelay: Math.max(this.options.backoffMs, this.options.backoffMaxMs),
      generator: decorrelatedJitterGenerator,
    });
    const policy = retry(handleWhen(predicate), {
      maxAttempts: this.options.retries,
      backoff: backoffHonouringRetryAfter(backoff, Math.max(this.options.backoffMs, this.options.backoffMaxMs)),
    });
    policy.onRetry(() => this.metrics.retries.inc({ target: this.target }));
    return policy;
  }

  timeout(ms: number): IPolicy {
    let policy = this.timeouts.get(ms);
    if (!policy) {
      policy = ms > 0 ? timeout(ms, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }) : noop;
      this.timeouts.set(ms, policy);
    }
    return policy;
  }
}

function outcomeOf(error: unknown): ClientOutcome {
  if (!isAxiosError(error)) return 'network_error';
  if (error.code === CIRCUIT_OPEN) return 'breaker_open';
  if (error.code === BULKHEAD_FULL) return 'bulkhead_rejected';
  if (error.code === AxiosError.ERR_CANCELED) return 'canceled';
  if (error.response) return error.response.status >= 500 ? 'http_5xx' : 'http_4xx';
  if (error.code === AxiosError.ECONNABORTED || error.code === AxiosError.ETIMEDOUT) return 'timeout';
  return 'network_error';
}

/**
 * Wraps an axios adapter (the one that sends a request) with the target's policies, outermost first:
 * bulkhead → circuit breaker → retry (idempotent calls) → per-attempt timeout → the request. The breaker
 * sees whole calls (after their retries), so a replica that fails half the time does not open it, a dead
 * one does. Every failure reaches the caller as an `AxiosError` (codes ECONNABORTED for a timeout,
 * ECIRCUITOPEN, EBULKHEADFULL for the refusals).
 */
export function resilientAdapter(
  base: AxiosAdapter,
  policies: TargetPolicies,
  clientIdempotent: boolean,
  metrics: ResilienceMetrics,
): AxiosAdapter {
  const target = policies.target;
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const idempotent = isIdempotent(config, clientIdempotent);
    const callerSignal = config.signal instanceof AbortSignal ? config.signal : undefined;
    const attemptMs = config.timeout ?? 0;
    const retryPolicy = idempotent ? policies.retryIdempotent : policies.retryOther;
    const attempt = async (signal: AbortSignal): Promise<AxiosResponse> => {
      try {
        return await policies
          .timeout(attemptMs)
          .execute(({ signal: attemptSignal }) => base({ ...config, timeout: 0, signal: attemptSignal }), signal);
      } catch (error) {
        // The timeout aborts the request: axios may reject first (ERR_CANCELED), or cockatiel (TaskCancelledError).
        const aborted = isTaskCancelledError(error) || (isAxiosError(error) && error.code === AxiosError.ERR_CANCELED);
        if (aborted && !callerSignal?.aborted)
          throw new AxiosError(`timeout of ${attemptMs}ms exceeded`, AxiosError.ECONNABORTED, config);
        if (aborted) throw new AxiosError('canceled', AxiosError.ERR_CANCELED, config);
        throw error;
      }
    };
    try {
      const response = await policies.bulkhead.execute(
        ({ signal: s1 }) =>
          policies.breaker.execute(({ signal: s2 }) => retryPolicy.execute(({ signal: s3 }) => attempt(s3), s2), s1),
        callerSignal,
      );
      metrics.requests.inc({ target, outcome: 'success' });
      return response;
    } catch (raw) {
      let error = raw;
      if (isBrokenCircuitError(raw) || isIsolatedCircuitError(raw)) {
        error = new AxiosError(`circuit breaker open for ${target}: failing fast`, CIRCUIT_OPEN, config);
      } else if (isBulkheadRejectedError(raw)) {
        error = new AxiosError(
          `bulkhead full for ${target}: too many calls in flight and queued`,
          BULKHEAD_FULL,
          config,
        );
      } else if (isTaskCancelledError(raw)) {
        error = new AxiosError('canceled', AxiosError.ERR_CANCELED, config);
      }
      metrics.requests.inc({ target, outcome: outcomeOf(error) });
      throw error;
    }
  };
}

/**
 * Wraps an adapter with a total deadline: the whole call (connect, every attempt, every byte of the
 * answer) is aborted after `ms`, unlike axios's `timeout`, which only limits socket idleness. A call's
 * own shorter `signal` still wins. The failure is an `AxiosError` ECONNABORTED, like a timeout.
 */
export function deadlineAdapter(base: AxiosAdapter, ms: number): AxiosAdapter {
  return async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
    const deadline = AbortSignal.timeout(ms);
    const own = config.signal instanceof AbortSignal ? config.signal : undefined;
    const signal = own ? AbortSignal.any([own, deadline]) : deadline;
    try {
      return await base({ ...config, signal });
    } catch (error) {
      if (deadline.aborted && !own?.aborted)
        throw new AxiosError(`deadline of ${ms}ms exceeded`, AxiosError.ECONNABORTED, config);
      throw error;
    }
  };
}
