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
  /** Retry budget: retries per target may be at most this percent of its calls over the last 10 s; 0 = no budget. */
  retryBudgetPercent: number;
  /** Retry budget: retries per second that are always allowed (a rarely called target can still be retried). */
  retryBudgetMinPerSec: number;
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
    retryBudgetPercent: env.RESILIENCE_RETRY_BUDGET_PERCENT,
    retryBudgetMinPerSec: env.RESILIENCE_RETRY_BUDGET_MIN_PER_SEC,
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
  /** Retries the retry budget refused (the call failed with the error it had). */
  retriesDenied: Counter<'target'>;
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

/**
 * A retry budget, as Finagle's `RetryBudget`, tower's `retry::budget` and Linkerd's retry budgets
 * keep one: over a sliding window (10 s, in ten slots), the retries to a target may number at most
 * `percent` % of the calls made to it, plus `minPerSec` per second of the window. When most attempts
 * fail because the target is overloaded, retries then add at most that share to its load instead of
 * multiplying it by 1 + RESILIENCE_RETRIES; isolated failures are still retried.
 */
export class RetryBudget {
  private static readonly SLOTS = 10;
  private readonly calls = new Float64Array(RetryBudget.SLOTS);
  private readonly retries = new Float64Array(RetryBudget.SLOTS);
  private slot = 0;
  private slotStart: number;

  constructor(
    readonly percent: number,
    readonly minPerSec: number,
    readonly windowMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.slotStart = now();
  }

  /** Moves the window to now: slots older than the window are emptied. */
  private advance(): void {
    const len = this.windowMs / RetryBudget.SLOTS;
    const t = this.now();
    const steps = Math.floor((t - this.slotStart) / len);
    if (steps <= 0) return;
    for (let i = 0; i < Math.min(steps, RetryBudget.SLOTS); i++) {
      this.slot = (this.slot + 1) % RetryBudget.SLOTS;
      this.calls[this.slot] = 0;
      this.retries[this.slot] = 0;
    }
    this.slotStart += steps * len;
  }

  /** A call (its first attempt) was made. */
  deposit(): void {
    this.advance();
    this.calls[this.slot]++;
  }

  /** Takes one retry from the budget if the window allows it; false when the budget is spent. */
  tryWithdraw(): boolean {
    this.advance();
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    const allowed = (this.minPerSec * this.windowMs) / 1000 + (this.percent / 100) * sum(this.calls);
    if (sum(this.retries) + 1 > allowed) return false;
    this.retries[this.slot]++;
    return true;
  }
}

/** The policies of one target (host:port): shared by every client created for it. */
export class TargetPolicies {
  readonly bulkhead: BulkheadPolicy | typeof noop;
  readonly breaker: CircuitBreakerPolicy | typeof noop;
  /** For idempotent calls: retries on transient failures. */
  readonly retryIdempotent: RetryPolicy | typeof noop;
  /** For the others: retries only when the connection was refused (the request never left). */
  readonly retryOther: RetryPolicy | typeof noop;
  /** Present when RESILIENCE_RETRY_BUDGET_PERCENT > 0. */
  readonly budget?: RetryBudget;
  /** Errors whose retry the budget refused: not retried, whatever they are. */
  private readonly denied = new WeakSet<object>();
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
    if (options.retries > 0 && options.retryBudgetPercent > 0)
      this.budget = new RetryBudget(options.retryBudgetPercent, options.retryBudgetMinPerSec);
    this.retryIdempotent = this.retryPolicy((e) => isRetryable(e, true));
    this.retryOther = this.retryPolicy((e) => isRetryable(e, false));
  }

  /**
   * Called with the error of attempt `attempt` (0 = the first) when the retry policy would retry it:
   * takes a retry from the budget, or marks the error as not to be retried and counts the refusal.
   */
  spend(error: unknown, attempt: number, idempotent: boolean): void {
    if (!this.budget || attempt >= this.options.retries || !isRetryable(error, idempotent)) return;
    if (this.budget.tryWithdraw()) return;
    if (typeof error === 'object' && error !== null) this.denied.add(error);
    this.metrics.retriesDenied.inc({ target: this.target });
  }

  private retryPolicy(predicate: (e: unknown) => boolean): RetryPolicy | typeof noop {
    if (this.options.retries === 0) return noop;
    const backoff = new ExponentialBackoff({
      initialDelay: this.options.backoffMs,
      maxDelay: Math.max(this.options.backoffMs, this.options.backoffMaxMs),
      generator: decorrelatedJitterGenerator,
    });
    const policy = retry(
      handleWhen((e) => !(typeof e === 'object' && e !== null && this.denied.has(e)) && predicate(e)),
      {
        maxAttempts: this.options.retries,
        backoff: backoffHonouringRetryAfter(backoff, Math.max(this.options.backoffMs, this.options.backoffMaxMs)),
      },
    );
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
    const attempt = async (signal: AbortSignal, n: number): Promise<AxiosResponse> => {
      let failure: unknown;
      try {
        return await policies
          .timeout(attemptMs)
          .execute(({ signal: attemptSignal }) => base({ ...config, timeout: 0, signal: attemptSignal }), signal);
      } catch (error) {
        // The timeout aborts the request: axios may reject first (ERR_CANCELED), or cockatiel (TaskCancelledError).
        const aborted = isTaskCancelledError(error) || (isAxiosError(error) && error.code === AxiosError.ERR_CANCELED);
        failure = error;
        if (aborted && !callerSignal?.aborted)
          failure = new AxiosError(`timeout of ${attemptMs}ms exceeded`, AxiosError.ECONNABORTED, config);
        else if (aborted) failure = new AxiosError('canceled', AxiosError.ERR_CANCELED, config);
      }
      policies.spend(failure, n, idempotent);
      throw failure;
    };
    policies.budget?.deposit();
    try {
      const response = await policies.bulkhead.execute(
        ({ signal: s1 }) =>
          policies.breaker.execute(
            ({ signal: s2 }) =>
              retryPolicy.execute((ctx) => attempt(ctx.signal, 'attempt' in ctx ? ctx.attempt : 0), s2),
            s1,
          ),
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
