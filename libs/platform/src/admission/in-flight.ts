// Admission control at the door: at most `maxInFlight` requests of one route are handled at once;
// one more is refused before its body is parsed (503, Retry-After, problem+json; Node only drains the
// bytes to keep the connection). A service
// that parses large bodies (the collector: ~130–400 kB of base64 JSON per frame) otherwise spends the
// CPU its dependencies need on requests it cannot finish in time, and under 2× load everything slows
// down together instead of the excess being turned away (docs/performance.md, rounds 6 and 7).
import type { FastifyInstance } from 'fastify';
import type { MetricsService } from '../metrics/metrics.service.js';
import { PROBLEM_CONTENT_TYPE, problem } from '../problem/problem.js';

export interface InFlightLimit {
  method: string;
  /** The route template, as registered (e.g. `/frames`). */
  url: string;
  /** Requests of this route handled at once; the next one is refused. */
  maxInFlight: number;
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
  // per "METHOD /route": the limit and how many of its requests are being handled
  const routes = new Map(limits.map((l) => [`${l.method.toUpperCase()} ${l.url}`, { limit: l, handled: 0 }]));
  for (const { limit } of routes.values()) {
    shed?.inc({ route: limit.url }, 0);
    inFlight?.set({ route: limit.url }, 0);
    limitGauge?.set({ route: limit.url }, limit.maxInFlight);
  }
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = routes.get(`${request.method} ${request.routeOptions?.url}`);
    if (!route) return done();
    const { limit } = route;
    if (route.handled >= limit.maxInFlight) {
      shed?.inc({ route: limit.url });
      // the body is never parsed (Node discards it before the connection's next request)
      void reply
        .code(503)
        .header('retry-after', String(limit.retryAfterSeconds ?? 1))
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send(
          JSON.stringify(
            problem(
              503,
              `${limit.maxInFlight} ${limit.method.toUpperCase()} ${limit.url} requests are being handled; retry later`,
              { type: 'urn:airport-mesh:admission:busy', instance: request.url.slice(0, 512) },
            ),
          ),
        );
      return;
    }
    inFlight?.set({ route: limit.url }, ++route.handled);
    // 'close' fires once the response is sent or the socket is gone, whichever comes first
    reply.raw.once('close', () => inFlight?.set({ route: limit.url }, --route.handled));
    done();
  });
}
