import { BadRequestException, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { randomInt, createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Counter, Gauge } from 'prom-client';
import { PROBLEM_CONTENT_TYPE } from '@airport-mesh/contracts';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { problem } from '../problem/problem.js';
import type { ChaosSettingsDto, ChaosStateDto, DelayDistribution } from './chaos.dto.js';
import { SeededRandom, standardNormal } from './prng.js';

/** Injection token of the chaos API's options (from the validated environment). */
export const CHAOS_OPTIONS = Symbol('CHAOS_OPTIONS');

export interface ChaosOptions {
  /** `CHAOS_ADMIN_TOKEN`; unset = the API refuses every call. */
  adminToken?: string;
}

/** Problem type of an injected error, so a caller (or a report) can tell it from a real one. */
export const CHAOS_PROBLEM_TYPE = 'urn:airport-mesh:chaos';

/** Routes the platform never lets chaos touch: the way to reset it, the probes, the scrape, the docs. */
export function isControlSurface(path: string): boolean {
  return /^\/(chaos|metrics|health)(\/|$)/.test(path) || /^\/(docs|openapi\.)/.test(path);
}

interface Faults {
  errorRate: number;
  errorStatus: number;
  delayMs: number;
  delayJitterMs: number;
  delayDistribution: DelayDistribution;
  delayRate: number;
  unready: boolean;
  seed: number;
  routes: string[] | null;
}

export type ChaosAuthResult = 'ok' | 'disabled' | 'unauthorized';

/**
 * This replica's injected faults (docs/resilience.md). A Fastify `preHandler` hook, registered by the
 * platform on every service, applies them to each affected request: first the delay (if drawn), then
 * the error (if drawn). Every affected request draws the same four numbers from one seeded generator,
 * so the same seed and the same request order give the same faults.
 */
@Injectable()
export class ChaosService implements OnModuleInit {
  private faults: Faults = ChaosService.defaults(0);
  private random = new SeededRandom(0);
  private since = new Date().toISOString();
  private readonly counts = { considered: 0, errors: 0, delays: 0 };
  private readonly injected: Counter<'kind'>;
  private readonly errorRateGauge: Gauge;
  private readonly delayGauge: Gauge;
  private readonly unreadyGauge: Gauge;
  private readonly tokenDigest?: Buffer;

  constructor(
    @Inject(CHAOS_OPTIONS) options: ChaosOptions,
    metrics: MetricsService,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.tokenDigest = options.adminToken ? digest(options.adminToken) : undefined;
    this.injected = metrics.counter(
      'chaos_injected_total',
      "Faults injected by this replica's chaos API, by kind (error, delay)",
      ['kind'],
    );
    this.injected.inc({ kind: 'error' }, 0);
    this.injected.inc({ kind: 'delay' }, 0);
    this.errorRateGauge = metrics.gauge('chaos_error_rate', 'Error rate set through the chaos API (0 = none)');
    this.delayGauge = metrics.gauge('chaos_delay_ms', 'Added delay set through the chaos API, milliseconds (0 = none)');
    this.unreadyGauge = metrics.gauge('chaos_unready', '1 when the chaos API holds readiness down');
    this.reset();
  }

  onModuleInit(): void {
    this.readiness.register('chaos', () => {
      if (this.faults.unready) throw new Error('held unready through the chaos API (DELETE /chaos to clear)');
    });
  }

  private static defaults(seed: number): Faults {
    return {
      errorRate: 0,
      errorStatus: 503,
      delayMs: 0,
      delayJitterMs: 0,
      delayDistribution: 'fixed',
      delayRate: 1,
      unready: false,
      seed,
      routes: null,
    };
  }

  /** Checks an `Authorization` header against CHAOS_ADMIN_TOKEN in constant time. */
  authorize(authorization: string | undefined): ChaosAuthResult {
    if (!this.tokenDigest) return 'disabled';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return 'unauthorized';
    return timingSafeEqual(digest(match[1]), this.tokenDigest) ? 'ok' : 'unauthorized';
  }

  /** Replaces the faults (omitted fields take their defaults) and restarts the sequence from the seed. */
  set(settings: ChaosSettingsDto): ChaosStateDto {
    const jitter = settings.delayJitterMs ?? 0;
    const distribution = settings.delayDistribution ?? (jitter > 0 ? 'uniform' : 'fixed');
    const problems: string[] = [];
    if (distribution === 'fixed' && jitter > 0)
      problems.push('delayJitterMs needs delayDistribution uniform or normal (fixed has no spread)');
    for (const route of settings.routes ?? []) {
      if (isControlSurface(route))
        problems.push(`routes: ${route} is never affected (the control surface; use unready for readiness)`);
    }
    if (problems.length)
      throw new BadRequestException(problem(400, `Invalid request: ${problems.join('; ')}`, { errors: problems }));
    this.apply({
      errorRate: settings.errorRate ?? 0,
      errorStatus: settings.errorStatus ?? 503,
      delayMs: settings.delayMs ?? 0,
      delayJitterMs: jitter,
      delayDistribution: distribution,
      delayRate: settings.delayRate ?? 1,
      unready: settings.unready ?? false,
      seed: settings.seed ?? randomInt(0, 2 ** 32 - 1),
      routes: settings.routes?.length ? [...settings.routes] : null,
    });
    return this.state();
  }

  /** No faults. */
  reset(): ChaosStateDto {
    this.apply(ChaosService.defaults(randomInt(0, 2 ** 32 - 1)));
    return this.state();
  }

  state(): ChaosStateDto {
    return {
      active: this.active,
      ...this.faults,
      routes: this.faults.routes ? [...this.faults.routes] : null,
      since: this.since,
      injected: { ...this.counts },
    };
  }

  get active(): boolean {
    const f = this.faults;
    return f.errorRate > 0 || this.delays || f.unready;
  }

  private get delays(): boolean {
    return this.faults.delayRate > 0 && (this.faults.delayMs > 0 || this.faults.delayJitterMs > 0);
  }

  private apply(faults: Faults): void {
    this.faults = faults;
    this.random = new SeededRandom(faults.seed);
    this.since = new Date().toISOString();
    this.counts.considered = this.counts.errors = this.counts.delays = 0;
    this.errorRateGauge.set(faults.errorRate);
    this.delayGauge.set(this.delays ? faults.delayMs : 0);
    this.unreadyGauge.set(faults.unready ? 1 : 0);
  }

  private affects(request: FastifyRequest): boolean {
    const template = request.routeOptions?.url;
    if (!template) return false; // unmatched (404): not a route of this service
    const path = request.url.split('?', 1)[0];
    if (isControlSurface(template) || isControlSurface(path)) return false;
    const routes = this.faults.routes;
    if (!routes) return true;
    return routes.some((r) => r === template || r === path || (r.endsWith('*') && path.startsWith(r.slice(0, -1))));
  }

  /** The Fastify `preHandler` hook (after routing and body parsing, before the handler). */
  readonly hook = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const f = this.faults;
    if (!(f.errorRate > 0 || this.delays) || !this.affects(request)) return undefined;
    // Always four draws per affected request, so the sequence does not depend on which faults hit.
    const errorDraw = this.random.next();
    const delayDraw = this.random.next();
    const u1 = this.random.next();
    const u2 = this.random.next();
    this.counts.considered++;
    if (this.delays && delayDraw < f.delayRate) {
      const ms = delayOf(f, u1, u2);
      this.counts.delays++;
      this.injected.inc({ kind: 'delay' });
      if (ms > 0) await sleep(ms);
    }
    if (errorDraw < f.errorRate) {
      this.counts.errors++;
      this.injected.inc({ kind: 'error' });
      const body = problem(
        f.errorStatus,
        `fault injected by the chaos API of this replica (errorRate ${f.errorRate})`,
        {
          type: CHAOS_PROBLEM_TYPE,
          instance: request.url,
        },
      );
      return reply
        .code(f.errorStatus)
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .header('x-chaos', 'error')
        .send(body);
    }
    return undefined;
  };
}

function delayOf(f: Faults, u1: number, u2: number): number {
  switch (f.delayDistribution) {
    case 'fixed':
      return f.delayMs;
    case 'uniform':
      return Math.max(0, Math.round(f.delayMs - f.delayJitterMs + 2 * f.delayJitterMs * u1));
    case 'normal':
      return Math.max(0, Math.round(f.delayMs + f.delayJitterMs * standardNormal(u1, u2)));
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
