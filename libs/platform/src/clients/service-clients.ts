import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import axios, { type AxiosInstance } from 'axios';
import { AuthService } from '../auth/auth.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import {
  RESILIENCE_OPTIONS,
  type ResilienceMetrics,
  type ResilienceOptions,
  TargetPolicies,
  deadlineAdapter,
  resilientAdapter,
} from './resilience.js';

/** What a generated client's `createClient` accepts (hey-api axios client). */
export interface GeneratedClientConfig {
  baseURL: string;
  axios: AxiosInstance;
  throwOnError?: boolean;
}

/** How one created client treats its calls (used with `RESILIENCE=client`; ignored with `none`). */
export interface ClientOptions {
  /**
   * Every call of this client may be retried, POST and PATCH included: set it for a service whose
   * writes are idempotent (POST /statistics, /frames, /alerts deduplicate by frame id). Without it only
   * GET/HEAD/OPTIONS/PUT/DELETE and calls carrying an `Idempotency-Key` header are retried.
   */
  idempotent?: boolean;
  /** Name of the target in metrics, and the key of its breaker and bulkhead; default the URL's `host:port`. */
  target?: string;
  /** Timeout of one attempt for this client; default RESILIENCE_TIMEOUT_MS. A call's own `timeout` wins. */
  timeoutMs?: number;
}

/**
 * Builds generated OpenAPI clients on the process's one @nestjs/axios instance, so every
 * inter-service call shares its connection pooling and timeouts, and is traced by the HTTP
 * instrumentation. Apps never call another service any other way.
 *
 * With `RESILIENCE=none` (default) a client gets that instance as it is: one attempt, HTTP_TIMEOUT_MS.
 * With `RESILIENCE=client` it gets a child instance whose adapter applies a per-attempt timeout,
 * retries with exponential backoff and jitter (idempotent calls only), and the circuit breaker and
 * bulkhead of its target (docs/resilience.md).
 */
@Injectable()
export class ServiceClients {
  private readonly targets = new Map<string, TargetPolicies>();
  private readonly metrics?: ResilienceMetrics;

  constructor(
    private readonly http: HttpService,
    @Inject(RESILIENCE_OPTIONS) private readonly resilience: ResilienceOptions,
    metrics: MetricsService,
    private readonly auth: AuthService,
  ) {
    if (resilience.mode === 'client') {
      this.metrics = {
        requests: metrics.counter(
          'client_requests_total',
          'Calls to other services through the generated clients, by target and outcome (after retries)',
          ['target', 'outcome'],
        ),
        retries: metrics.counter('client_retries_total', 'Retried attempts of calls to other services, by target', [
          'target',
        ]),
        retriesDenied: metrics.counter(
          'client_retries_denied_total',
          'Retries the retry budget refused (RESILIENCE_RETRY_BUDGET_PERCENT), by target',
          ['target'],
        ),
        breakerState: metrics.gauge(
          'client_breaker_state',
          'Circuit breaker of a target: 0 closed, 1 open, 2 half-open, 3 isolated',
          ['target'],
        ),
      };
    }
  }

  create<C>(createClient: (config: GeneratedClientConfig) => C, baseURL: string, options: ClientOptions = {}): C {
    const parent = this.http.axiosRef;
    const base = axios.getAdapter(parent.defaults.adapter ?? ['http']);
    const deadlineMs = this.resilience.deadlineMs ?? 0;
    let adapter = base;
    let timeout = parent.defaults.timeout;
    if (this.resilience.mode === 'client' && this.metrics) {
      const target = options.target ?? new URL(baseURL).host;
      let policies = this.targets.get(target);
      if (!policies) {
        policies = new TargetPolicies(target, this.resilience, this.metrics);
        this.targets.set(target, policies);
      }
      adapter = resilientAdapter(base, policies, options.idempotent ?? false, this.metrics);
      timeout = options.timeoutMs ?? this.resilience.timeoutMs;
    }
    const instance = parent.create({
      timeout,
      adapter: deadlineMs > 0 ? deadlineAdapter(adapter, deadlineMs) : adapter,
    });
    // A write carries this service's signed token (docs/security.md); reads are open and carry none.
    instance.interceptors.request.use(async (config) => {
      const method = (config.method ?? 'get').toUpperCase();
      if (method !== 'GET' && method !== 'HEAD' && !config.headers.has('authorization')) {
        const path = new URL(instance.getUri(config)).pathname;
        const authorization = await this.auth.callerAuthorization(method, path);
        if (authorization) config.headers.set('authorization', authorization);
      }
      return config;
    });
    return createClient({ baseURL, axios: instance, throwOnError: true });
  }
}
