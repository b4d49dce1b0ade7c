import type { AxiosError, AxiosResponse } from 'axios';
import { createServer } from 'node:net';
import { RetryBudget, resilienceOptionsFrom } from '../src/clients/resilience.js';
import { BaseEnv } from '../src/config/base-env.js';
import { InvalidEnvironmentError, validateEnv } from '../src/config/validate-env.js';
import { ServiceClients, type GeneratedClientConfig } from '../src/clients/service-clients.js';
import { startTestService, type TestService } from '../src/testing.js';
import { TOKEN, auth, chaosState, demoService, metric, setChaos } from './demo-service.js';

/**
 * The calls go through exactly what a generated (hey-api) client uses: the axios instance and base URL
 * handed to its `createClient`, called the way its `request` calls it.
 */
const createClient = (config: GeneratedClientConfig) => config;
type Client = GeneratedClientConfig;

interface Outcome {
  status: number | string;
  ms: number;
}

async function call(
  client: Client,
  method: string,
  path: string,
  options: { data?: unknown; headers?: Record<string, string>; timeout?: number } = {},
): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const res: AxiosResponse = await client.axios({
      method,
      baseURL: '',
      url: client.baseURL + path,
      data: options.data,
      headers: options.headers,
      ...(options.timeout ? { timeout: options.timeout } : {}),
    });
    return { status: res.status, ms: performance.now() - t0 };
  } catch (error) {
    const e = error as AxiosError;
    return { status: e.response?.status ?? e.code ?? 'unknown', ms: performance.now() - t0 };
  }
}

const target = (t: TestService) => new URL(t.url).host;

async function startPair(callerEnv: Record<string, string>, targetEnv: Record<string, string> = {}) {
  const server = await startTestService(demoService, { CHAOS_ADMIN_TOKEN: TOKEN, ...targetEnv });
  const caller = await startTestService(demoService, callerEnv);
  const clients = caller.app.get(ServiceClients);
  return { server, caller, clients, close: async () => Promise.all([server.close(), caller.close()]) };
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

const CLIENT = { RESILIENCE: 'client', RESILIENCE_BACKOFF_MS: '1', RESILIENCE_BACKOFF_MAX_MS: '10' };

describe('RESILIENCE=client in front of a sick replica (50% 503)', () => {
  it('keeps ~100% of idempotent calls successful by retrying, and counts the retries', async () => {
    const pair = await startPair({ ...CLIENT, RESILIENCE_RETRIES: '6' });
    const plain = await startTestService(demoService, { RESILIENCE: 'none' });
    try {
      const n = 200;
      await setChaos(pair.server.url, { errorRate: 0.5, seed: 7 });
      const resilient = pair.clients.create(createClient, pair.server.url);
      const results: Outcome[] = [];
      for (let i = 0; i < n; i++) results.push(await call(resilient, 'GET', `/items/${i}`));
      const ok = results.filter((r) => r.status === 200).length;
      const attempts = (await chaosState(pair.server.url)).injected.considered;
      const retries = await metric(pair.caller.url, 'client_retries_total', { target: target(pair.server) });

      await setChaos(pair.server.url, { errorRate: 0.5, seed: 7 });
      const bare = plain.app.get(ServiceClients).create(createClient, pair.server.url);
      let bareOk = 0;
      for (let i = 0; i < n; i++) if ((await call(bare, 'GET', `/items/${i}`)).status === 200) bareOk++;
      const bareAttempts = (await chaosState(pair.server.url)).injected.considered;

      console.log(
        `sick replica 50% 503, ${n} GETs: RESILIENCE=none ${bareOk}/${n} ok in ${bareAttempts} attempts; ` +
          `RESILIENCE=client (6 retries) ${ok}/${n} ok in ${attempts} attempts, ${retries} retries`,
      );
      expect(ok / n).toBeGreaterThanOrEqual(0.98);
      expect(bareOk / n).toBeGreaterThan(0.35);
      expect(bareOk / n).toBeLessThan(0.65);
      expect(bareAttempts).toBe(n); // none: one attempt per call
      expect(retries).toBe(attempts - n);
      expect(retries).toBeGreaterThan(n * 0.6);
      expect(
        await metric(pair.caller.url, 'client_requests_total', { target: target(pair.server), outcome: 'success' }),
      ).toBe(ok);
      expect(await metric(pair.caller.url, 'client_breaker_state', { target: target(pair.server) })).toBe(0);

      // POST /items is idempotent by key in this test service's contract: mark the client.
      await setChaos(pair.server.url, { errorRate: 0.5, seed: 8 });
      const writer = pair.clients.create(createClient, pair.server.url, { idempotent: true });
      let posted = 0;
      for (let i = 0; i < 100; i++)
        if ((await call(writer, 'POST', '/items', { data: { name: `n${i}` } })).status === 201) posted++;
      console.log(`sick replica 50% 503, 100 POSTs on an idempotent client: ${posted}/100 stored`);
      expect(posted).toBeGreaterThanOrEqual(98);
    } finally {
      await pair.close();
      await plain.close();
    }
  });
});

describe('RESILIENCE=client: a retry budget per target', () => {
  it('allows retries up to PERCENT of the calls of the last 10 s plus MIN_PER_SEC per second, and forgets old calls', () => {
    let now = 0;
    const budget = new RetryBudget(20, 0, 10_000, () => now);
    const take = (n: number) => Array.from({ length: n }, () => budget.tryWithdraw());
    expect(budget.tryWithdraw()).toBe(false); // no calls yet, no floor
    for (let i = 0; i < 10; i++) budget.deposit();
    expect(take(1)).toEqual([true]); // 1 of the 2 that 20 % of 10 calls allow
    now = 5_000; // half the window later those calls and that retry still count
    for (let i = 0; i < 10; i++) budget.deposit();
    expect(take(4)).toEqual([true, true, true, false]); // 20 % of 20 calls: 4 in all
    // 10.5 s after the first calls: they and their retry have left the window; the later ten and their
    // three retries have not. Ten more calls: 20 in the window, 3 retries spent, so 1 more (had nothing
    // expired: 30 calls and 4 spent, 2 more; had everything: 10 calls, none spent, 2 more)
    now = 10_500;
    for (let i = 0; i < 10; i++) budget.deposit();
    expect(take(2)).toEqual([true, false]);
    now = 60_000; // everything has left it
    expect(budget.tryWithdraw()).toBe(false);

    const floor = new RetryBudget(20, 1, 10_000, () => now); // 1 per second: 10 retries per window without calls
    const granted = Array.from({ length: 12 }, () => floor.tryWithdraw()).filter(Boolean).length;
    expect(granted).toBe(10);
  });

  it('is off unless RESILIENCE_RETRY_BUDGET_PERCENT is set, and a bad setting stops the process at boot', () => {
    expect(resilienceOptionsFrom(validateEnv(BaseEnv, {}))).toMatchObject({
      retryBudgetPercent: 0,
      retryBudgetMinPerSec: 1,
    });
    expect(
      resilienceOptionsFrom(
        validateEnv(BaseEnv, { RESILIENCE_RETRY_BUDGET_PERCENT: '20', RESILIENCE_RETRY_BUDGET_MIN_PER_SEC: '0' }),
      ),
    ).toMatchObject({ retryBudgetPercent: 20, retryBudgetMinPerSec: 0 });
    for (const [name, value] of [
      ['RESILIENCE_RETRY_BUDGET_PERCENT', '-5'],
      ['RESILIENCE_RETRY_BUDGET_PERCENT', '20%'],
      ['RESILIENCE_RETRY_BUDGET_PERCENT', '1001'],
      ['RESILIENCE_RETRY_BUDGET_MIN_PER_SEC', 'many'],
    ]) {
      let error: unknown;
      try {
        validateEnv(BaseEnv, { [name]: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidEnvironmentError);
      expect((error as Error).message).toContain(name);
    }
  });

  it('in front of a replica that refuses everything, adds PERCENT retries instead of RETRIES per call; isolated failures are still retried', async () => {
    const env = { ...CLIENT, RESILIENCE_RETRIES: '3', RESILIENCE_BREAKER_THRESHOLD: '0' };
    const pair = await startPair({
      ...env,
      RESILIENCE_RETRY_BUDGET_PERCENT: '20',
      RESILIENCE_RETRY_BUDGET_MIN_PER_SEC: '0',
    });
    const unbudgeted = await startTestService(demoService, env);
    try {
      const n = 50;
      const run = async (clients: ServiceClients) => {
        const client = clients.create(createClient, pair.server.url);
        let ok = 0;
        for (let i = 0; i < n; i++) if ((await call(client, 'GET', `/items/${i}`)).status === 200) ok++;
        return { ok, attempts: (await chaosState(pair.server.url)).injected.considered };
      };
      await setChaos(pair.server.url, { errorRate: 1, seed: 3 });
      const without = await run(unbudgeted.app.get(ServiceClients));
      await setChaos(pair.server.url, { errorRate: 1, seed: 3 });
      const within = await run(pair.clients);
      const denied = await metric(pair.caller.url, 'client_retries_denied_total', { target: target(pair.server) });
      const retried = await metric(pair.caller.url, 'client_retries_total', { target: target(pair.server) });
      console.log(
        `replica refusing every call, ${n} GETs, 3 retries: no budget ${without.attempts} attempts; ` +
          `20 % budget ${within.attempts} attempts (${retried} retries, ${denied} refused by the budget)`,
      );
      expect(without.attempts).toBe(4 * n);
      expect(within.ok).toBe(0);
      expect(within.attempts).toBe(n + retried);
      expect(retried).toBe(0.2 * n);
      // every call ended on a retry the budget refused (none could use all three)
      expect(denied).toBe(n);

      // 10 % of attempts fail, at random: well within a 20 % budget, so every call still succeeds
      await setChaos(pair.server.url, { errorRate: 0.1, seed: 11 });
      const sick = await run(pair.clients);
      console.log(`replica failing 10 %: ${sick.ok}/${n} ok in ${sick.attempts} attempts with the budget`);
      expect(sick.ok).toBe(n);
      expect(await metric(pair.caller.url, 'client_retries_denied_total', { target: target(pair.server) })).toBe(
        denied,
      );
    } finally {
      await pair.close();
      await unbudgeted.close();
    }
  });
});

describe('RESILIENCE=client: what is not retried', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair({ ...CLIENT, RESILIENCE_RETRIES: '3', RESILIENCE_BREAKER_THRESHOLD: '0' });
  });
  afterAll(() => pair.close());

  it('sends a non-idempotent POST once, a keyed or idempotent-client POST up to 1 + RETRIES times', async () => {
    await setChaos(pair.server.url, { errorRate: 1, seed: 1 });
    const client = pair.clients.create(createClient, pair.server.url);
    expect((await call(client, 'POST', '/items', { data: { name: 'a' } })).status).toBe(503);
    expect((await chaosState(pair.server.url)).injected.considered).toBe(1);
    expect(await metric(pair.caller.url, 'client_retries_total', { target: target(pair.server) })).toBe(0);
    expect(
      await metric(pair.caller.url, 'client_requests_total', { target: target(pair.server), outcome: 'http_5xx' }),
    ).toBe(1);

    await setChaos(pair.server.url, { errorRate: 1, seed: 1 });
    expect(
      (await call(client, 'POST', '/items', { data: { name: 'a' }, headers: { 'Idempotency-Key': 'frame-7:1' } }))
        .status,
    ).toBe(503);
    expect((await chaosState(pair.server.url)).injected.considered).toBe(4);

    await setChaos(pair.server.url, { errorRate: 1, seed: 1 });
    const idempotent = pair.clients.create(createClient, pair.server.url, { idempotent: true });
    expect((await call(idempotent, 'POST', '/items', { data: { name: 'a' } })).status).toBe(503);
    expect((await chaosState(pair.server.url)).injected.considered).toBe(4);
  });

  it('never retries a 4xx other than 429', async () => {
    await setChaos(pair.server.url, { errorRate: 1, errorStatus: 400, seed: 1 });
    const client = pair.clients.create(createClient, pair.server.url);
    expect((await call(client, 'GET', '/items/1')).status).toBe(400);
    expect((await chaosState(pair.server.url)).injected.considered).toBe(1);
    await setChaos(pair.server.url, { errorRate: 1, errorStatus: 500, seed: 1 });
    expect((await call(client, 'GET', '/items/1')).status).toBe(500); // a 500 is a bug, not a transient state
    expect((await chaosState(pair.server.url)).injected.considered).toBe(1);
    await fetch(`${pair.server.url}/chaos`, { method: 'DELETE', headers: auth });
    expect((await call(client, 'GET', '/nowhere')).status).toBe(404);
    expect(
      await metric(pair.caller.url, 'client_requests_total', { target: target(pair.server), outcome: 'http_4xx' }),
    ).toBe(2);
  });

  it('honours Retry-After of a 429', async () => {
    const client = pair.clients.create(createClient, pair.server.url);
    // BACKOFF_MAX_MS (10 ms here) caps the wait: with that cap the server's 1 s is not waited for in full
    const capped = await call(client, 'GET', '/limited/a');
    expect(capped.status).toBe(200);
    const patient = await startTestService(demoService, { ...CLIENT, RESILIENCE_BACKOFF_MAX_MS: '2000' });
    try {
      const politeClient = patient.app.get(ServiceClients).create(createClient, pair.server.url);
      const polite = await call(politeClient, 'GET', '/limited/b');
      console.log(
        `429 Retry-After: 1 → answered after ${polite.ms.toFixed(0)} ms (BACKOFF_MAX_MS 2000), ${capped.ms.toFixed(0)} ms (BACKOFF_MAX_MS 10)`,
      );
      expect(polite.status).toBe(200);
      expect(polite.ms).toBeGreaterThanOrEqual(990);
      expect(capped.ms).toBeLessThan(500);
    } finally {
      await patient.close();
    }
  });

  it('retries a refused connection even for a POST (the request never left), and reports a network error', async () => {
    const port = await closedPort();
    const client = pair.clients.create(createClient, `http://127.0.0.1:${port}`);
    expect((await call(client, 'POST', '/items', { data: { name: 'a' } })).status).toBe('ECONNREFUSED');
    expect(await metric(pair.caller.url, 'client_retries_total', { target: `127.0.0.1:${port}` })).toBe(3);
    expect(
      await metric(pair.caller.url, 'client_requests_total', { target: `127.0.0.1:${port}`, outcome: 'network_error' }),
    ).toBe(1);
  });
});

describe('RESILIENCE=client: circuit breaker per target', () => {
  it('opens after N consecutive failed calls, fails fast without reaching the server, then recovers through half-open', async () => {
    const pair = await startPair({
      ...CLIENT,
      RESILIENCE_RETRIES: '1',
      RESILIENCE_BREAKER_THRESHOLD: '3',
      // long enough that a busy machine's stall between two steps never lets the wait end early
      RESILIENCE_BREAKER_HALF_OPEN_MS: '1500',
    });
    const healthy = await startTestService(demoService);
    try {
      const host = target(pair.server);
      const client = pair.clients.create(createClient, pair.server.url);
      const other = pair.clients.create(createClient, healthy.url);
      await setChaos(pair.server.url, { errorRate: 1, seed: 1 });
      for (let i = 0; i < 3; i++) expect((await call(client, 'GET', '/items/1')).status).toBe(503);
      expect((await chaosState(pair.server.url)).injected.considered).toBe(6); // 3 calls × 2 attempts
      expect(await metric(pair.caller.url, 'client_breaker_state', { target: host })).toBe(1);

      const fast = await call(client, 'GET', '/items/1');
      expect(fast.status).toBe('ECIRCUITOPEN');
      expect(fast.ms).toBeLessThan(250); // at once: no attempt, no backoff
      expect((await chaosState(pair.server.url)).injected.considered).toBe(6); // not reached
      expect((await call(other, 'GET', '/items/1')).status).toBe(200); // another target is not affected

      await new Promise((r) => setTimeout(r, 1600));
      expect((await call(client, 'GET', '/items/1')).status).toBe(503); // the half-open trial call fails …
      expect((await chaosState(pair.server.url)).injected.considered).toBe(8);
      expect((await call(client, 'GET', '/items/1')).status).toBe('ECIRCUITOPEN'); // … and reopens it
      expect(await metric(pair.caller.url, 'client_breaker_state', { target: host })).toBe(1);

      await fetch(`${pair.server.url}/chaos`, { method: 'DELETE', headers: auth });
      expect((await call(client, 'GET', '/items/1')).status).toBe('ECIRCUITOPEN'); // still open until the wait ends
      await new Promise((r) => setTimeout(r, 1600));
      expect((await call(client, 'GET', '/items/1')).status).toBe(200); // trial call succeeds: closed
      expect(await metric(pair.caller.url, 'client_breaker_state', { target: host })).toBe(0);
      for (let i = 0; i < 5; i++) expect((await call(client, 'GET', '/items/1')).status).toBe(200);
      expect(await metric(pair.caller.url, 'client_requests_total', { target: host, outcome: 'breaker_open' })).toBe(3);
    } finally {
      await pair.close();
      await healthy.close();
    }
  });

  it('is not opened by a replica that fails half the time when retries absorb it', async () => {
    const pair = await startPair({ ...CLIENT, RESILIENCE_RETRIES: '4', RESILIENCE_BREAKER_THRESHOLD: '3' });
    try {
      await setChaos(pair.server.url, { errorRate: 0.5, seed: 21 });
      const client = pair.clients.create(createClient, pair.server.url);
      let open = 0;
      for (let i = 0; i < 100; i++) if ((await call(client, 'GET', '/items/1')).status === 'ECIRCUITOPEN') open++;
      expect(open).toBe(0);
    } finally {
      await pair.close();
    }
  });
});

describe('RESILIENCE=client: bulkhead per target', () => {
  it('runs BULKHEAD calls at once, queues BULKHEAD_QUEUE, rejects the rest at once', async () => {
    const pair = await startPair({
      ...CLIENT,
      RESILIENCE_RETRIES: '0',
      RESILIENCE_BULKHEAD: '2',
      RESILIENCE_BULKHEAD_QUEUE: '1',
    });
    try {
      await setChaos(pair.server.url, { delayMs: 300, seed: 1 });
      const client = pair.clients.create(createClient, pair.server.url);
      const second = pair.clients.create(createClient, pair.server.url); // same target, same bulkhead
      const results = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((i) => call(i % 2 ? second : client, 'GET', `/items/${i}`)),
      );
      const ok = results.filter((r) => r.status === 200);
      const rejected = results.filter((r) => r.status === 'EBULKHEADFULL');
      console.log(
        `bulkhead 2 + queue 1, 6 concurrent calls to a 300 ms server: ${ok.length} served (${ok.map((r) => r.ms.toFixed(0)).join(', ')} ms), ${rejected.length} rejected (${rejected.map((r) => r.ms.toFixed(0)).join(', ')} ms)`,
      );
      expect(ok).toHaveLength(3);
      expect(rejected).toHaveLength(3);
      expect(Math.max(...rejected.map((r) => r.ms))).toBeLessThan(250); // at once, not after a 300 ms slot
      expect(Math.max(...ok.map((r) => r.ms))).toBeGreaterThanOrEqual(590); // the queued one waited for a slot
      expect((await chaosState(pair.server.url)).injected.considered).toBe(3);
      expect(
        await metric(pair.caller.url, 'client_requests_total', {
          target: target(pair.server),
          outcome: 'bulkhead_rejected',
        }),
      ).toBe(3);
    } finally {
      await pair.close();
    }
  });
});

describe('timeouts', () => {
  it('RESILIENCE=client: each attempt times out after RESILIENCE_TIMEOUT_MS, idempotent calls are retried, a call may ask for more', async () => {
    const pair = await startPair({ ...CLIENT, RESILIENCE_TIMEOUT_MS: '200', RESILIENCE_RETRIES: '2' });
    try {
      await setChaos(pair.server.url, { delayMs: 1000, seed: 1 });
      const client = pair.clients.create(createClient, pair.server.url);
      const get = await call(client, 'GET', '/items/1');
      expect(get.status).toBe('ECONNABORTED');
      expect(get.ms).toBeGreaterThanOrEqual(600);
      expect(get.ms).toBeLessThan(1000);
      const post = await call(client, 'POST', '/items', { data: { name: 'a' } });
      expect(post.status).toBe('ECONNABORTED');
      expect(post.ms).toBeGreaterThanOrEqual(195);
      expect(post.ms).toBeLessThan(400);
      const patient = await call(client, 'GET', '/items/1', { timeout: 2000 });
      const slowClient = pair.clients.create(createClient, pair.server.url, { timeoutMs: 2000 });
      const patientClient = await call(slowClient, 'GET', '/items/2');
      console.log(
        `timeouts: GET with 200 ms × 3 attempts failed after ${get.ms.toFixed(0)} ms; POST (1 attempt) after ${post.ms.toFixed(0)} ms; per-call 2000 ms: ${patient.status} in ${patient.ms.toFixed(0)} ms`,
      );
      expect(patient.status).toBe(200);
      expect(patientClient.status).toBe(200);
      const host = target(pair.server);
      expect(await metric(pair.caller.url, 'client_requests_total', { target: host, outcome: 'timeout' })).toBe(2);
      expect(await metric(pair.caller.url, 'client_retries_total', { target: host })).toBe(2);
      expect((await chaosState(pair.server.url)).injected.considered).toBe(6); // 3 + 1 + 1 + 1 reached the server
    } finally {
      await pair.close();
    }
  });

  it('RESILIENCE=none: the shared instance settings, one attempt, HTTP_TIMEOUT_MS as the whole call deadline, no client metrics', async () => {
    const pair = await startPair({ RESILIENCE: 'none', HTTP_TIMEOUT_MS: '300', RESILIENCE_TIMEOUT_MS: '50' });
    try {
      const { HttpService } = await import('@nestjs/axios');
      const client = pair.clients.create(createClient, pair.server.url);
      // A child of the shared instance (same defaults), which adds the total deadline and the caller's token.
      const shared = pair.caller.app.get(HttpService).axiosRef;
      expect(client.axios.defaults.timeout).toBe(shared.defaults.timeout);
      expect(client.axios.defaults.maxRedirects).toBe(0);
      await setChaos(pair.server.url, { delayMs: 800, seed: 1 });
      const slow = await call(client, 'GET', '/items/1');
      expect(slow.status).toBe('ECONNABORTED');
      expect(slow.ms).toBeGreaterThanOrEqual(295);
      expect(slow.ms).toBeLessThan(700);
      await setChaos(pair.server.url, { errorRate: 1, seed: 1 });
      expect((await call(client, 'GET', '/items/1')).status).toBe(503);
      expect((await chaosState(pair.server.url)).injected.considered).toBe(1);
      const text = await (await fetch(`${pair.caller.url}/metrics`)).text();
      expect(text).not.toMatch(/client_requests_total/);
    } finally {
      await pair.close();
    }
  });
});
