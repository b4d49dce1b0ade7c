import { startTestService, type TestService } from '../src/testing.js';
import { TOKEN, auth, chaosState, demoService, metric, setChaos } from './demo-service.js';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: string[];
}

const statuses = async (url: string, n: number, path = '/items/1'): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(url + path);
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
};

describe('chaos API: disabled without CHAOS_ADMIN_TOKEN', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(demoService);
  });
  afterAll(() => svc.close());

  it.each(['GET', 'PUT', 'DELETE'])('%s /chaos is 403 with a problem body, even with a token', async (method) => {
    const res = await fetch(
      `${svc.url}/chaos`,
      method === 'PUT'
        ? { method, headers: { ...auth, 'content-type': 'application/json' }, body: '{"errorRate":1}' }
        : { method, headers: auth },
    );
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as Problem;
    expect(body).toMatchObject({ status: 403, detail: 'chaos API disabled: set CHAOS_ADMIN_TOKEN' });
    // and nothing was injected
    expect((await statuses(svc.url, 5)).every((s) => s === 200)).toBe(true);
  });

  it('refuses to boot with a token shorter than 8 characters', async () => {
    await expect(startTestService(demoService, { CHAOS_ADMIN_TOKEN: 'short' })).rejects.toThrow(/CHAOS_ADMIN_TOKEN/);
  });
});

describe('chaos API with a token', () => {
  let svc: TestService;
  let other: TestService;
  beforeAll(async () => {
    svc = await startTestService(demoService, { CHAOS_ADMIN_TOKEN: TOKEN });
    other = await startTestService(demoService, { CHAOS_ADMIN_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await svc.close();
    await other.close();
  });
  afterEach(async () => {
    await fetch(`${svc.url}/chaos`, { method: 'DELETE', headers: auth });
    await fetch(`${other.url}/chaos`, { method: 'DELETE', headers: auth });
  });

  it('answers 401 with a problem body to a missing or wrong token, and nothing changes', async () => {
    const cases: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-xyz' },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN}x` },
    ];
    for (const headers of cases) {
      const res = await fetch(`${svc.url}/chaos`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/json' },
        body: '{"errorRate":1}',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as Problem).detail).toMatch(/missing or wrong bearer token/);
    }
    expect((await fetch(`${svc.url}/chaos`)).status).toBe(401);
    expect((await fetch(`${svc.url}/chaos`, { method: 'DELETE' })).status).toBe(401);
    expect((await statuses(svc.url, 5)).every((s) => s === 200)).toBe(true);
  });

  it('reads the default state: no faults', async () => {
    const res = await fetch(`${svc.url}/chaos`, { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      active: false,
      errorRate: 0,
      errorStatus: 503,
      delayMs: 0,
      delayJitterMs: 0,
      delayDistribution: 'fixed',
      delayRate: 1,
      unready: false,
      routes: null,
      injected: { considered: 0, errors: 0, delays: 0 },
    });
  });

  it.each([
    [{ errorRate: 0.3, colour: 'red' }, /property colour should not exist/],
    [{ errorRate: 1.5 }, /errorRate must not be greater than 1/],
    [{ errorRate: '0.3' }, /errorRate must be a number/],
    [{ errorStatus: 200 }, /errorStatus must not be less than 400/],
    [{ delayMs: -1 }, /delayMs must not be less than 0/],
    [{ delayDistribution: 'poisson' }, /delayDistribution must be one of/],
    [
      { delayMs: 100, delayJitterMs: 20, delayDistribution: 'fixed' },
      /delayJitterMs needs delayDistribution uniform or normal/,
    ],
    [{ unready: 'yes' }, /unready must be a boolean/],
    [{ seed: 1.5 }, /seed must be an integer/],
    [{ routes: 'statistics' }, /routes must be an array/],
    [{ routes: ['statistics'] }, /each route must start with \//],
    [{ routes: ['/health/ready'] }, /\/health\/ready is never affected/],
    [{ routes: ['/chaos'] }, /\/chaos is never affected/],
    [{ routes: ['/metrics'] }, /\/metrics is never affected/],
  ])('PUT %j is a 400 problem', async (body, message) => {
    const res = await fetch(`${svc.url}/chaos`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as Problem;
    expect(problem.status).toBe(400);
    expect(problem.detail).toMatch(message);
    expect((await chaosState(svc.url)).active).toBe(false);
  });

  it('injects errors with the configured status and a recognisable problem body', async () => {
    await setChaos(svc.url, { errorRate: 1, errorStatus: 502, seed: 1 });
    const res = await fetch(`${svc.url}/items/9`);
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('x-chaos')).toBe('error');
    expect(await res.json()).toMatchObject({
      type: 'urn:airport-mesh:chaos',
      status: 502,
      title: 'Bad Gateway',
      instance: '/items/9',
    });
    // a POST body is read and dropped; the handler never runs
    const post = await fetch(`${svc.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(100_000) }),
    });
    expect(post.status).toBe(502);
  });

  it('repeats the same error sequence for the same seed, on any replica, and another for another seed', async () => {
    await setChaos(svc.url, { errorRate: 0.3, seed: 42 });
    const first = await statuses(svc.url, 200);
    await setChaos(svc.url, { errorRate: 0.3, seed: 42 });
    const again = await statuses(svc.url, 200);
    await setChaos(other.url, { errorRate: 0.3, seed: 42 });
    const otherReplica = await statuses(other.url, 200);
    await setChaos(svc.url, { errorRate: 0.3, seed: 43 });
    const otherSeed = await statuses(svc.url, 200);

    const errors = first.filter((s) => s === 503).length;
    console.log(
      `chaos errorRate 0.3 seed 42: ${errors}/200 requests answered 503; seed 43: ${otherSeed.filter((s) => s === 503).length}/200`,
    );
    expect(again).toEqual(first);
    expect(otherReplica).toEqual(first);
    expect(otherSeed).not.toEqual(first);
    expect(first.every((s) => s === 200 || s === 503)).toBe(true);
    expect(errors).toBeGreaterThanOrEqual(40); // 60 expected; binomial sd 6.5
    expect(errors).toBeLessThanOrEqual(80);
    expect((await chaosState(svc.url)).injected).toEqual({
      considered: 200,
      errors: otherSeed.filter((s) => s === 503).length,
      delays: 0,
    });
  });

  it('reports the random seed it chose, which replays the run', async () => {
    const state = await setChaos(svc.url, { errorRate: 0.5 });
    expect(typeof state.seed).toBe('number');
    const first = await statuses(svc.url, 50);
    await setChaos(svc.url, { errorRate: 0.5, seed: state.seed });
    expect(await statuses(svc.url, 50)).toEqual(first);
  });

  it('affects only the listed routes; /status only when listed; the control surface never', async () => {
    await setChaos(svc.url, { errorRate: 1, routes: ['/items/:id'] });
    expect(await statuses(svc.url, 3, '/items/1')).toEqual([503, 503, 503]);
    expect(await statuses(svc.url, 3, '/status')).toEqual([200, 200, 200]);
    const post = await fetch(`${svc.url}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"a"}',
    });
    expect(post.status).toBe(201);

    await setChaos(svc.url, { errorRate: 1, routes: ['/status'] });
    expect(await statuses(svc.url, 2, '/status')).toEqual([503, 503]);
    expect(await statuses(svc.url, 2, '/items/1')).toEqual([200, 200]);

    await setChaos(svc.url, { errorRate: 1, routes: ['/items/7'] }); // a concrete path
    expect(await statuses(svc.url, 1, '/items/7')).toEqual([503]);
    expect(await statuses(svc.url, 1, '/items/8')).toEqual([200]);

    await setChaos(svc.url, { errorRate: 1 }); // default: every route but the control surface
    expect(await statuses(svc.url, 1, '/items/1')).toEqual([503]);
    expect(await statuses(svc.url, 1, '/status')).toEqual([503]);
    for (const path of ['/health/live', '/health/ready', '/metrics', '/openapi.json'])
      expect(await statuses(svc.url, 1, path)).toEqual([200]);
    expect(await statuses(svc.url, 1, '/nowhere')).toEqual([404]);
    expect((await fetch(`${svc.url}/chaos`, { headers: auth })).status).toBe(200);
  });

  it('adds the configured delay: fixed, uniform and normal', async () => {
    const timed = async (n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        const res = await fetch(`${svc.url}/items/1`);
        await res.arrayBuffer();
        out.push(performance.now() - t0);
      }
      return out;
    };
    const baseline = await timed(5);
    await setChaos(svc.url, { delayMs: 200 });
    const fixed = await timed(5);
    await setChaos(svc.url, { delayMs: 100, delayJitterMs: 50, delayDistribution: 'uniform', seed: 3 });
    const uniform = await timed(12);
    await setChaos(svc.url, { delayMs: 150, delayJitterMs: 30, delayDistribution: 'normal', seed: 3 });
    const normal = await timed(12);
    // 300 ms, so that a request counts as delayed only if it was: a busy machine can stall an
    // undelayed request for tens of milliseconds, never for 300 (a 60 ms delay could be miscounted so)
    await setChaos(svc.url, { delayMs: 300, delayRate: 0.5, seed: 5 });
    const half = await timed(20);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const r = (xs: number[]) =>
      `min ${Math.min(...xs).toFixed(0)} mean ${mean(xs).toFixed(0)} max ${Math.max(...xs).toFixed(0)} ms`;
    console.log(
      `delays: none ${r(baseline)}; fixed 200: ${r(fixed)}; uniform 100±50: ${r(uniform)}; normal 150 sd 30: ${r(normal)}; 300 at rate 0.5: ${half.filter((t) => t >= 295).length}/20 delayed`,
    );
    expect(Math.max(...baseline)).toBeLessThan(150);
    expect(Math.min(...fixed)).toBeGreaterThanOrEqual(195);
    expect(Math.min(...uniform)).toBeGreaterThanOrEqual(45);
    expect(Math.max(...uniform)).toBeLessThan(150 + 100);
    expect(Math.max(...uniform) - Math.min(...uniform)).toBeGreaterThan(20);
    expect(mean(normal)).toBeGreaterThan(120);
    expect(mean(normal)).toBeLessThan(200);
    const delayed = half.filter((t) => t >= 295).length;
    expect(delayed).toBeGreaterThan(3);
    expect(delayed).toBeLessThan(17);
    expect((await chaosState(svc.url)).injected.delays).toBe(delayed);
  });

  it('holds readiness down while unready, and liveness up', async () => {
    expect((await fetch(`${svc.url}/health/ready`)).status).toBe(200);
    const state = await setChaos(svc.url, { unready: true });
    expect(state.active).toBe(true);
    const ready = await fetch(`${svc.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'error', error: { chaos: { status: 'down' } } });
    expect((await fetch(`${svc.url}/health/live`)).status).toBe(200);
    expect(await statuses(svc.url, 2)).toEqual([200, 200]); // unready alone injects no errors
    expect(await metric(svc.url, 'chaos_unready')).toBe(1);
    await fetch(`${svc.url}/chaos`, { method: 'DELETE', headers: auth });
    expect((await fetch(`${svc.url}/health/ready`)).status).toBe(200);
  });

  it('resets every fault with DELETE', async () => {
    await setChaos(svc.url, { errorRate: 1, delayMs: 50, unready: true, routes: ['/items/:id'] });
    const res = await fetch(`${svc.url}/chaos`, { method: 'DELETE', headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ active: false, errorRate: 0, delayMs: 0, unready: false, routes: null });
    expect(await statuses(svc.url, 5)).toEqual([200, 200, 200, 200, 200]);
    expect((await fetch(`${svc.url}/health/ready`)).status).toBe(200);
  });

  it('counts injected faults and shows the active error rate in /metrics', async () => {
    const errorsBefore = await metric(svc.url, 'chaos_injected_total', { kind: 'error' });
    const delaysBefore = await metric(svc.url, 'chaos_injected_total', { kind: 'delay' });
    await setChaos(svc.url, { errorRate: 0.4, delayMs: 5, seed: 11 });
    expect(await metric(svc.url, 'chaos_error_rate')).toBe(0.4);
    expect(await metric(svc.url, 'chaos_delay_ms')).toBe(5);
    const seen = await statuses(svc.url, 50);
    const injected = seen.filter((s) => s === 503).length;
    expect(await metric(svc.url, 'chaos_injected_total', { kind: 'error' })).toBe(errorsBefore + injected);
    expect(await metric(svc.url, 'chaos_injected_total', { kind: 'delay' })).toBe(delaysBefore + 50);
    // the server's own request metrics see the injected answers as what the caller got
    expect(
      await metric(svc.url, 'http_server_requests_total', { route: '/items/:id', status_code: '503' }),
    ).toBeGreaterThanOrEqual(injected);
    await fetch(`${svc.url}/chaos`, { method: 'DELETE', headers: auth });
    expect(await metric(svc.url, 'chaos_error_rate')).toBe(0);
  });

  it('is documented in the OpenAPI document, with bearer auth', async () => {
    const doc = (await (await fetch(`${svc.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { operationId: string; security?: unknown[] }>>;
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths['/chaos']).sort()).toEqual(['delete', 'get', 'put']);
    expect(doc.paths['/chaos'].put.operationId).toBe('setChaos');
    expect(doc.paths['/chaos'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.schemas).toHaveProperty('ChaosSettingsDto');
  });
});
