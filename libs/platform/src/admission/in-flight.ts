// Admission control at the door: at most `maxInFlight` requests of one route are handled at once;
// one more is refused before its body is parsed (503, Retry-After, problem+json; Node only drains the
// bytes to keep the connection). A service
// that parses large bodies (the collector: ~130–400 kB of base64 JSON per frame) otherwise spends the
// CPU its dependencies need on requests it cannot finish in time, and under 2× load everything slows
// down together instead of the excess being turned away (docs/performance.md, rounds 6 and 7).
// With `targetLatencyMs` the number follows the latency the admitted requests get (LatencyTargetLimit),
// between `minInFlight` and `maxInFlight`, instead of being sized beforehand.
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { LatencyTargetLimit } from './latency-target-limit.js';
import type { MetricsService } from '../metrics/metrics.service.js';
import { PROBLEM_CONTENT_TYPE, problem } from '../problem/problem.js';

export interface InFlightLimit {
  method: string;
  /** The route template, as registered (e.g. `/frames`). */
  url: string;
  /** Requests of this route handled at once; the next one is refused. With `targetLatencyMs`: the most. */
  maxInFlight: number;
  /**
   * Adapt the number handled at once to this median latency (ms) of the admitted requests, between
   * `minInFlight` and `maxInFlight` (LatencyTargetLimit). Unset or 0: a fixed `maxInFlight`.
   */
  targetLatencyMs?: number;
  /** The least the adaptive limit goes down to. Default 2. */
  minInFlight?: number;
  /** Seconds a refused caller is asked to wait (`Retry-After`). Default 1. */
  retryAfterSeconds?: number;
}

/** Registers one `onRequest` hook per limit (before body parsing). Exposes in-flight and refusals in /metrics. */
export function limitInFlight(fastify: FastifyInstance, limits: InFlightLimit[], metrics?: MetricsService): void {
  if (!limits.length) return;
  const shed = metrics?.counter<'route'>(
    'http_admission_shed_total',
    'Requests refused at the door (503) because the route already handled its maximum number at once',
    ['route'],
  );
  const inFlight = metrics?.gauge<'route'>('http_in_flight', 'Requests of a limited route being handled', ['route']);
  const limitGauge = metrics?.gauge<'route'>('http_in_flight_limit', 'Requests of a limited route handled at once', [
    'route',
  ]);
  // per "METHOD /route": the limit, its adaptive part, and how many of its requests are being handled
  const routes = new Map(
    limits.map((l) => [
      `${l.method.toUpperCase()} ${l.url}`,
      {
        limit: l,
        handled: 0,
        adaptive: l.targetLatencyMs
          ? new LatencyTargetLimit({
              targetMs: l.targetLatencyMs,
              min: Math.min(l.minInFlight ?? 2, l.maxInFlight),
              max: l.maxInFlight,
            })
          : undefined,
      },
    ]),
  );
  for (const { limit, adaptive } of routes.values()) {
    shed?.inc({ route: limit.url }, 0);
    inFlight?.set({ route: limit.url }, 0);
    limitGauge?.set({ route: limit.url }, adaptive?.limit ?? limit.maxInFlight);
  }
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = routes.get(`${request.method} ${request.routeOptions?.url}`);
    if (!route) return done();
    const { limit, adaptive } = route;
    const max = adaptive?.limit ?? limit.maxInFlight;
    if (route.handled >= max) {
      adaptive?.refused();
      shed?.inc({ route: limit.url });
      // the body is never parsed (Node discards it before the connection's next request)
      void reply
        .code(503)
        .header('retry-after', String(limit.retryAfterSeconds ?? 1))
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send(
          JSON.stringify(
            problem(503, `${max} ${limit.method.toUpperCase()} ${limit.url} requests are being handled; retry later`, {
              type: 'urn:airport-mesh:admission:busy',
              instance: request.url.slice(0, 512),
            }),
          ),
        );
      return;
    }
    inFlight?.set({ route: limit.url }, ++route.handled);
    adaptive?.admitted(route.handled);
    const admittedAt = performance.now();
    // 'close' fires once the response is sent or the socket is gone, whichever comes first
    reply.raw.once('close', () => {
      inFlight?.set({ route: limit.url }, --route.handled);
      // a 5xx is the pipeline behind the door failing (a dependency shed the request): congestion, not a fast answer
      const changed = adaptive?.completed(admittedAt, performance.now(), reply.raw.statusCode >= 500);
      if (changed !== undefined) limitGauge?.set({ route: limit.url }, changed);
    });
    done();
  });
}
