/**
 * The optional outbound webhook against real HTTP servers on loopback: one that answers, one that
 * hangs without ever answering, one that fails, and a closed port. An alert is stored and answered the
 * same in every case, and each delivery outcome is counted.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestService, type TestService } from '@airport-mesh/platform/testing';
import { alertsService } from '../src/service.js';

let seq = 0;
const alert = (extra: Record<string, unknown> = {}) => ({
  frameId: `2:${++seq}`,
  cameraId: '2',
  section: '1',
  event: 'exit',
  timestamp: new Date().toISOString(),
  personId: 'p-1',
  name: 'George W',
  similarity: 0.9,
  ...extra,
});

interface Hook {
  url: string;
  received: { at: number; body: unknown }[];
  open: ServerResponse[];
  close(): Promise<void>;
}

async function webhookServer(handle: (req: IncomingMessage, res: ServerResponse, hook: Hook) => void): Promise<Hook> {
  const hook = { received: [], open: [] } as unknown as Hook;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hook.received.push({ at: Date.now(), body: JSON.parse(body) });
      handle(req, res, hook);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  hook.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  hook.close = async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  };
  return hook;
}

describe('alerts webhook', () => {
  let dir: string;
  const started: TestService[] = [];
  const hooks: Hook[] = [];

  const start = async (env: Record<string, string>) => {
    const service = await startTestService(alertsService, {
      DB_PATH: join(dir, `alerts-${started.length}.db`),
      ...env,
    });
    started.push(service);
    return service;
  };
  const post = (service: TestService, body: unknown) =>
    fetch(`${service.url}/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const deliveries = async (service: TestService) => {
    const text = await (await fetch(`${service.url}/metrics`)).text();
    const counts: Record<string, number> = {};
    for (const m of text.matchAll(/^alerts_webhook_deliveries_total\{outcome="(\w+)",[^}]*\} (\d+)/gm))
      counts[m[1]] = Number(m[2]);
    return counts;
  };
  const eventually = async (check: () => Promise<boolean>, timeoutMs = 5000) => {
    const t0 = Date.now();
    while (!(await check())) {
      if (Date.now() - t0 > timeoutMs) throw new Error('condition not met in time');
      await sleep(25);
    }
  };

  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'alerts-webhook-'))));
  afterAll(async () => {
    for (const s of started) await s.close();
    for (const h of hooks) await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts each new alert once, after it is stored and answered; a repeat is not posted again', async () => {
    const hook = await webhookServer((_req, res) => res.writeHead(204).end());
    hooks.push(hook);
    const alerts = await start({ ALERT_WEBHOOK_URL: hook.url });
    const body = alert();
    const res = await post(alerts, body);
    const answeredAt = Date.now();
    expect(res.status).toBe(201);
    const { alert: stored } = (await res.json()) as { alert: { id: number } };
    await eventually(async () => (await deliveries(alerts)).ok === 1);
    expect(hook.received).toEqual([
      {
        at: expect.any(Number),
        body: { type: 'alert', alert: { ...body, id: stored.id, storedAt: expect.any(String) } },
      },
    ]);
    expect(hook.received[0].at).toBeGreaterThanOrEqual(answeredAt - 50);
    expect((await post(alerts, body)).status).toBe(200);
    await sleep(200);
    expect(hook.received).toHaveLength(1);
    expect(await deliveries(alerts)).toEqual({ ok: 1, failed: 0, timeout: 0, dropped: 0 });
    expect(await (await fetch(`${alerts.url}/health/ready`)).json()).toMatchObject({
      info: { store: { webhook: true } },
    });
  });

  it('never waits for a webhook that hangs: every alert is stored and answered at once, the deliveries time out', async () => {
    const hook = await webhookServer((_req, res, h) => h.open.push(res)); // reads the request, never answers
    hooks.push(hook);
    const alerts = await start({
      ALERT_WEBHOOK_URL: hook.url,
      ALERT_WEBHOOK_TIMEOUT_MS: '1500',
      ALERT_WEBHOOK_CONCURRENCY: '2',
    });
    const t0 = Date.now();
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(alerts, alert())));
    const elapsed = Date.now() - t0;
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    // Had one of them waited for its delivery, it would have taken the delivery's timeout (1.5 s) at least.
    expect(elapsed).toBeLessThan(1500);
    expect((await deliveries(alerts)).timeout).toBe(0); // answered while every delivery was still open
    expect(((await (await fetch(`${alerts.url}/alerts`)).json()) as { total: number }).total).toBe(6);
    // 6 deliveries, 2 at a time, 1.5 s each: about 4.5 s until all have timed out.
    await eventually(async () => (await deliveries(alerts)).timeout === 6, 20_000);
    expect(await deliveries(alerts)).toEqual({ ok: 0, failed: 0, timeout: 6, dropped: 0 });
    expect(hook.received).toHaveLength(6);
  });

  it('counts a failing webhook (HTTP 500) and an unreachable one as failed, and keeps the alerts', async () => {
    const hook = await webhookServer((_req, res) => res.writeHead(500, { 'content-type': 'text/plain' }).end('boom'));
    hooks.push(hook);
    const failing = await start({ ALERT_WEBHOOK_URL: hook.url });
    expect((await post(failing, alert())).status).toBe(201);
    expect((await post(failing, alert())).status).toBe(201);
    await eventually(async () => (await deliveries(failing)).failed === 2);
    expect(hook.received).toHaveLength(2);
    expect(((await (await fetch(`${failing.url}/alerts`)).json()) as { total: number }).total).toBe(2);

    const unreachable = await start({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook' }); // discard port: refused
    expect((await post(unreachable, alert())).status).toBe(201);
    await eventually(async () => (await deliveries(unreachable)).failed === 1);
    expect(await (await fetch(`${unreachable.url}/alerts/latest`)).json()).toMatchObject({ name: 'George W' });
  });

  it('drops deliveries beyond its queue (counted), never the alerts', async () => {
    const hook = await webhookServer((_req, res, h) => h.open.push(res));
    hooks.push(hook);
    const alerts = await start({
      ALERT_WEBHOOK_URL: hook.url,
      ALERT_WEBHOOK_TIMEOUT_MS: '300',
      ALERT_WEBHOOK_CONCURRENCY: '1',
      ALERT_WEBHOOK_QUEUE: '2',
    });
    for (let i = 0; i < 5; i += 1) expect((await post(alerts, alert())).status).toBe(201);
    await eventually(async () => {
      const d = await deliveries(alerts);
      return d.timeout + d.dropped === 5;
    }, 5000);
    const d = await deliveries(alerts);
    expect(d.dropped).toBeGreaterThanOrEqual(1);
    expect(((await (await fetch(`${alerts.url}/alerts`)).json()) as { total: number }).total).toBe(5);
  });
});
