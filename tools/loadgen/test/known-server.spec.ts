// The load generator against a known server (a real HTTP server in its own process on 127.0.0.1
// that waits a fixed delay and counts what it saw): what the generator measures must agree with
// what the server saw. Each run is bounded to a few seconds.
import net from 'node:net';
import hdr from 'hdr-histogram-js';
import { LoadgenError, runLoad, type LoadResult } from '../src/index.js';
import { KnownServer, arrivalRate, percentile } from './support/known-server.js';

let server: KnownServer;

beforeAll(async () => {
  server = await KnownServer.start();
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(async () => {
  await server.reset();
});

/** One line per run, so a test log shows the numbers it checked. */
function report(name: string, r: LoadResult, extra = ''): void {
  const l = r.latencyMs;
  const s = r.serviceTimeMs;
  process.stdout.write(
    `[loadgen ${name}] intended ${r.requests.intended} sent ${r.requests.sent} responses ${r.requests.responses} ` +
      `dropped ${r.requests.dropped} late ${r.requests.late} errors ${JSON.stringify(r.errors.byCode)} status ${JSON.stringify(r.status)} | ` +
      `latency p50 ${l.p50} p90 ${l.p90} p99 ${l.p99} p99.9 ${l.p999} max ${l.max} mean ${l.mean} | ` +
      `service p50 ${s.p50} p99 ${s.p99} | achieved ${r.throughput.achievedRps}/s of ${r.throughput.intendedRps}/s${extra ? ` | ${extra}` : ''}\n`,
  );
}

/** Every intended request ends as exactly one of: a response, an error, dropped. */
function expectAccounted(r: LoadResult): void {
  const q = r.requests;
  expect(q.sent).toBe(q.responses + q.errors);
  expect(q.intended).toBe(q.responses + q.errors + q.dropped);
  expect(Object.values(r.status).reduce((a, b) => a + b, 0)).toBe(q.responses);
  const e = r.errors;
  expect(e.timeout + e.connectionRefused + e.connectionReset + e.other).toBe(q.errors);
  const sum = (k: 'intended' | 'ok' | 'otherStatus' | 'errors' | 'dropped') => r.timeline.reduce((a, b) => a + b[k], 0);
  expect(sum('intended')).toBe(q.intended);
  expect(sum('ok')).toBe(q.ok);
  expect(sum('otherStatus')).toBe(q.responses - q.ok);
  expect(sum('errors')).toBe(q.errors);
  expect(sum('dropped')).toBe(q.dropped);
  for (const b of r.timeline) expect(b.ok + b.otherStatus + b.errors + b.dropped).toBe(b.intended);
}

/** A port nothing listens on: one the OS just gave out and took back. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('at a fixed delay and a rate the server keeps up with', () => {
  it('measures percentiles and throughput that agree with what the server saw', async () => {
    const delay = 20;
    const r = await runLoad({ url: server.url(`delay=${delay}`), rate: 50, durationMs: 2_000 });
    const seen = await server.stats();
    const serverP50 = percentile(seen.serviceMs, 50);
    report(
      'fixed-delay',
      r,
      `server count ${seen.count} p50 ${serverP50.toFixed(3)} arrival ${arrivalRate(seen.arrivalsMs).toFixed(2)}/s`,
    );

    expectAccounted(r);
    expect(r.requests).toMatchObject({ intended: 100, sent: 100, dropped: 0, responses: 100, ok: 100, errors: 0 });
    // The server's count is the generator's count of responses, and their statuses agree.
    expect(seen.count).toBe(r.requests.responses);
    expect(seen.byStatus).toEqual(r.status);
    expect(r.status).toEqual({ '200': 100 });
    // Nothing can be faster than the server's delay; the median is within a few ms of it.
    expect(r.latencyMs.min).toBeGreaterThanOrEqual(delay);
    expect(r.latencyMs.p50).toBeGreaterThanOrEqual(delay);
    expect(r.latencyMs.p50).toBeLessThan(delay + 5);
    expect(r.serviceTimeMs.p50).toBeGreaterThanOrEqual(serverP50);
    expect(r.serviceTimeMs.p50! - serverP50).toBeLessThan(3);
    // Latency from the intended start includes the send lag; service time does not.
    expect(r.latencyMs.p50).toBeGreaterThanOrEqual(r.serviceTimeMs.p50!);
    // (No absolute bound on the tail: on a shared 2-core machine p90+ follow the machine's load.)
    const l = r.latencyMs;
    expect([l.min!, l.p50!, l.p90!, l.p99!, l.p999!]).toEqual(
      [...[l.min!, l.p50!, l.p90!, l.p99!, l.p999!]].sort((a, b) => a - b),
    );
    expect(l.p999).toBeLessThanOrEqual(l.max!);
    // Throughput: the rate it meant is the rate the server saw, and the rate it achieved.
    expect(r.throughput.achievedRps).toBeGreaterThan(50 * 0.95);
    expect(r.throughput.achievedRps).toBeLessThanOrEqual(50 * 1.01);
    expect(arrivalRate(seen.arrivalsMs)).toBeGreaterThan(50 * 0.95);
    expect(arrivalRate(seen.arrivalsMs)).toBeLessThan(50 * 1.05);
    expect(r.elapsedMs).toBeGreaterThanOrEqual(2_000 - 20 + delay);
    expect(r.timeline.map(({ p50Ms: _p50, p99Ms: _p99, maxMs: _max, ...counts }) => counts)).toEqual([
      { startMs: 0, intended: 50, ok: 50, otherStatus: 0, errors: 0, dropped: 0 },
      { startMs: 1_000, intended: 50, ok: 50, otherStatus: 0, errors: 0, dropped: 0 },
    ]);
    // Each second's latency: at least the server's delay, ordered, and within the run's.
    for (const b of r.timeline) {
      expect(b.p50Ms).toBeGreaterThanOrEqual(delay);
      expect(b.p50Ms!).toBeLessThanOrEqual(b.p99Ms!);
      expect(b.p99Ms!).toBeLessThanOrEqual(b.maxMs!);
      expect(b.maxMs!).toBeLessThanOrEqual(l.max! + 0.01);
    }
    // The encoded histogram holds every response's latency.
    expect(hdr.decodeFromCompressedBase64(r.latencyHistogram!, 32, false).totalCount).toBe(r.latencyMs.count);
  });

  it('counts each status code the server sent', async () => {
    const answered: { index: number; status: number }[] = [];
    const r = await runLoad({
      url: server.url('delay=5&every=4&status=503'),
      rate: 40,
      durationMs: 1_000,
      onResponse: (a) => answered.push(a),
    });
    const seen = await server.stats();
    report('statuses', r);
    // onResponse: each request once, by its index, with the status the server sent it
    expect(answered.map((a) => a.index).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    const byStatus: Record<string, number> = {};
    for (const a of answered) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    expect(byStatus).toEqual(r.status);
    expectAccounted(r);
    expect(r.status).toEqual({ '200': 30, '503': 10 });
    expect(seen.byStatus).toEqual(r.status);
    expect(r.requests.ok).toBe(30);
    expect(r.okLatencyMs.count).toBe(30);
    expect(r.latencyMs.count).toBe(40);
    expect(r.throughput.okRps).toBeLessThan(r.throughput.achievedRps);
  });
});

describe('when the server is slower than the arrival rate allows (100 ms each, 2 in flight, 50/s wanted)', () => {
  // Capacity is 2 / 0.1 s = 20/s, against 50/s intended.
  const slow = { rate: 50, durationMs: 1_000, maxInFlight: 2, timeoutMs: 2_000 };

  it('drop: requests due at the bound are dropped, and the drops are counted', async () => {
    const r = await runLoad({ url: server.url('delay=100'), ...slow, overflow: 'drop' });
    const seen = await server.stats();
    report('overload-drop', r, `server count ${seen.count} max in flight ${seen.maxInFlight}`);
    expectAccounted(r);
    expect(r.requests.intended).toBe(50);
    expect(seen.count).toBe(r.requests.sent);
    expect(seen.maxInFlight).toBeLessThanOrEqual(2);
    expect(r.requests.sent).toBeGreaterThanOrEqual(14);
    expect(r.requests.sent).toBeLessThanOrEqual(24);
    expect(r.requests.dropped).toBe(50 - r.requests.sent);
    expect(r.throughput.achievedRps).toBeLessThan(25);
    expect(r.throughput.intendedRps).toBe(50);
    // Those that went went on time: what they measured is the server's delay.
    expect(r.latencyMs.p50).toBeGreaterThanOrEqual(100);
    expect(r.latencyMs.p50).toBeLessThan(115);
  });

  it('queue: requests wait for a slot, are sent late, and their latency counts from the intended start', async () => {
    const r = await runLoad({ url: server.url('delay=100'), ...slow, overflow: 'queue', drainMs: 5_000 });
    const seen = await server.stats();
    report('overload-queue', r, `server count ${seen.count} max in flight ${seen.maxInFlight}`);
    expectAccounted(r);
    expect(r.requests).toMatchObject({ intended: 50, sent: 50, responses: 50, dropped: 0, errors: 0 });
    expect(seen.count).toBe(50);
    expect(seen.maxInFlight).toBeLessThanOrEqual(2);
    expect(r.requests.late).toBeGreaterThanOrEqual(40);
    // The server still takes ~100 ms per request (service time) ...
    expect(r.serviceTimeMs.p50).toBeGreaterThanOrEqual(100);
    expect(r.serviceTimeMs.p50).toBeLessThan(115);
    // ... but the callers waited much longer: the queue shows instead of being omitted.
    // Request i (due at 20i ms) ends at about (floor(i/2) + 1) × 100 ms: the median waits ~0.85 s, the last ~1.5 s.
    expect(r.latencyMs.p50).toBeGreaterThan(600);
    expect(r.latencyMs.max).toBeGreaterThan(1_300);
    expect(r.latencyMs.p50).toBeGreaterThan(5 * r.serviceTimeMs.p50!);
    expect(r.sendLagMs.max).toBeGreaterThan(1_200);
    // 50 responses over ~2.5 s: the achieved rate is the server's capacity, not the intended rate.
    expect(r.throughput.achievedRps).toBeGreaterThan(15);
    expect(r.throughput.achievedRps).toBeLessThan(23);
  });

  it('queue with no drain time: what is still queued when the schedule ends is dropped, so the run ends on time', async () => {
    const r = await runLoad({ url: server.url('delay=100'), ...slow, overflow: 'queue', drainMs: 0 });
    const seen = await server.stats();
    report('overload-queue-nodrain', r, `server count ${seen.count}`);
    expectAccounted(r);
    expect(seen.count).toBe(r.requests.sent);
    expect(r.requests.dropped).toBeGreaterThan(20);
    expect(r.requests.sent).toBeLessThan(30);
    expect(r.elapsedMs).toBeLessThan(1_400);
  });
});

describe('failures', () => {
  it('counts requests that outlive the timeout as timeouts', async () => {
    const started = Date.now();
    let answered = 0;
    const r = await runLoad({
      url: server.url('delay=1000'),
      rate: 20,
      durationMs: 500,
      timeoutMs: 100,
      onResponse: () => answered++,
    });
    const tookMs = Date.now() - started;
    // The server notices a dropped connection a moment after the generator dropped it.
    const seen = await server.statsWhen((st) => st.clientAborts >= 10, 1_000);
    report('timeout', r, `server count ${seen.count} client aborts seen ${seen.clientAborts} took ${tookMs} ms`);
    expectAccounted(r);
    expect(r.requests).toMatchObject({ intended: 10, sent: 10, responses: 0, errors: 10 });
    expect(r.errors).toMatchObject({
      timeout: 10,
      connectionRefused: 0,
      connectionReset: 0,
      other: 0,
      byCode: { TIMEOUT: 10 },
    });
    expect(seen.count).toBe(10);
    expect(seen.clientAborts).toBe(10);
    // a request that timed out was not answered, whatever the server did later
    expect(answered).toBe(0);
    expect(r.latencyMs.count).toBe(0);
    expect(r.latencyMs.p50).toBeNull();
    expect(tookMs).toBeLessThan(900);
  });

  it('counts connections the server resets', async () => {
    const r = await runLoad({ url: server.url('delay=5&every=2&reset=1'), rate: 20, durationMs: 500 });
    const seen = await server.stats();
    report('reset', r, `server resets ${seen.resets}`);
    expectAccounted(r);
    expect(seen.resets).toBe(5);
    expect(r.errors.connectionReset).toBe(5);
    expect(r.status).toEqual({ '200': 5 });
  });

  it('refuses an unreachable target before the run, with a clear error', async () => {
    const port = await closedPort();
    const run = runLoad({ url: `http://127.0.0.1:${port}/status`, rate: 10, durationMs: 500 });
    await expect(run).rejects.toThrow(LoadgenError);
    await expect(run).rejects.toMatchObject({ code: 'TARGET_UNREACHABLE' });
    await expect(run).rejects.toThrow(`target http://127.0.0.1:${port} is unreachable: connection refused`);
  });

  it('counts refused connections when the reachability check is off (a target that died)', async () => {
    const port = await closedPort();
    const r = await runLoad({
      url: `http://127.0.0.1:${port}/status`,
      rate: 20,
      durationMs: 250,
      checkReachable: false,
    });
    report('refused', r);
    expectAccounted(r);
    expect(r.requests).toMatchObject({ intended: 5, sent: 5, responses: 0, errors: 5 });
    expect(r.errors).toMatchObject({ connectionRefused: 5, byCode: { ECONNREFUSED: 5 } });
  });

  it('refuses a non-loopback target without allowRemote, before sending anything', async () => {
    await expect(runLoad({ url: 'http://192.0.2.10:8080/status', rate: 10, durationMs: 500 })).rejects.toMatchObject({
      code: 'TARGET_NOT_ALLOWED',
    });
  });
});

describe('the request hook and stopping', () => {
  it('sends the body and headers the factory makes for each request', async () => {
    const r = await runLoad({
      url: server.url('delay=1'),
      method: 'POST',
      rate: 40,
      durationMs: 500,
      headers: { 'content-type': 'application/json' },
      body: ({ index }) => ({ body: JSON.stringify({ seq: index }), headers: { 'x-seq': String(index) } }),
    });
    const seen = await server.stats();
    expectAccounted(r);
    expect(r.requests.responses).toBe(20);
    const sorted = (xs: unknown[]) => [...xs].sort((a, b) => Number(a) - Number(b));
    const expected = Array.from({ length: 20 }, (_, i) => i);
    expect(sorted(seen.seqs)).toEqual(expected);
    expect(sorted(seen.headerSeqs)).toEqual(expected);
  });

  it('fails the run with a clear error when the factory throws', async () => {
    const run = runLoad({
      url: server.url(),
      rate: 20,
      durationMs: 500,
      body: ({ index }) => {
        if (index === 3) throw new Error('no frame left');
        return 'x';
      },
    });
    await expect(run).rejects.toMatchObject({
      code: 'REQUEST_FACTORY_FAILED',
      message: 'could not build request #3: no frame left',
    });
  });

  it('stops early on abort and reports what it did', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const r = await runLoad({ url: server.url('delay=10'), rate: 50, durationMs: 10_000, signal: controller.signal });
    const seen = await server.stats();
    report('abort', r);
    expectAccounted(r);
    expect(r.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(r.requests.intended).toBeGreaterThanOrEqual(10);
    expect(r.requests.intended).toBeLessThanOrEqual(20);
    expect(seen.count).toBe(r.requests.sent);
  });
});
