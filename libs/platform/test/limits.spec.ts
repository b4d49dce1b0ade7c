/**
 * Limits and faults over real sockets: a slow-body client is cut off, a trickling peer hits the
 * call's total deadline, a broken SQLite store answers 503 (never 500) and takes readiness down, and
 * an invalid secret is never printed.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { BaseEnv } from '../src/config/base-env.js';
import { InvalidEnvironmentError, validateEnv } from '../src/config/validate-env.js';
import { ServiceClients } from '../src/clients/service-clients.js';
import { startTestService, type TestService } from '../src/testing.js';
import { demoService, demoStore } from './demo-service.js';

describe('server limits', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(demoService, { REQUEST_TIMEOUT_MS: '1000' });
  });
  afterAll(() => svc.close());

  it('a client that sends headers and one byte of a 100 kB body is cut off within seconds', async () => {
    const { port } = new URL(svc.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST /items HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{',
        );
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('still open after 8 s')), 8000).unref();
    });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
    // and the server still serves
    expect((await fetch(`${svc.url}/items/1`)).status).toBe(200);
  });
});

describe('storage faults', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(demoService);
  });
  afterAll(() => svc.close());
  const note = () =>
    fetch(`${svc.url}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"x"}',
    });

  it.each([
    ['read-only', 'PRAGMA query_only = 1', 'PRAGMA query_only = 0'],
    ['full', 'PRAGMA max_page_count = 1', 'PRAGMA max_page_count = 1073741823'],
  ])('a %s store: 503 with a problem body, readiness 503; back when it is fixed', async (kind, breakIt, fixIt) => {
    expect((await note()).status).toBe(201);
    if (kind === 'full') {
      // The store must need a new page for the next row: fill the current ones first.
      const pages = Number((demoStore.db!.prepare('PRAGMA page_count').get() as { page_count: number }).page_count);
      demoStore.db!.exec(`PRAGMA max_page_count = ${pages}`);
      let res = await note();
      for (let i = 0; i < 200 && res.status === 201; i++) res = await note();
      expect(res.status).toBe(503);
    } else {
      demoStore.db!.exec(breakIt);
    }
    const res = await note();
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({
      status: 503,
      type: 'urn:airport-mesh:storage',
      detail: expect.stringContaining(kind),
    });
    const ready = await fetch(`${svc.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toContain(`storage ${kind}`);
    demoStore.db!.exec(fixIt);
    expect((await note()).status).toBe(201);
  });
});

describe('outbound calls: a total deadline', () => {
  let trickle: Server;
  let url: string;
  beforeAll(async () => {
    // Answers headers at once, then one byte every 200 ms, forever: never idle, never done.
    trickle = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 200);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((r) => trickle.listen(0, '127.0.0.1', r));
    const address = trickle.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    trickle.closeAllConnections();
    await new Promise((r) => trickle.close(r));
  });

  it.each([
    ['RESILIENCE=none', { HTTP_TIMEOUT_MS: '1000' }],
    ['RESILIENCE=client', { RESILIENCE: 'client', RESILIENCE_TIMEOUT_MS: '60000', HTTP_DEADLINE_MS: '1000' }],
  ])('%s: a peer that trickles bytes is given up after the deadline', async (_name, env) => {
    const caller = await startTestService(demoService, env);
    try {
      const client = caller.app
        .get(ServiceClients)
        .create((config) => ({ get: () => config.axios.get(`${config.baseURL}/slow`) }), url);
      const started = Date.now();
      await expect(client.get()).rejects.toMatchObject({ code: 'ECONNABORTED' });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await caller.close();
    }
  });
});

describe('secrets in the environment', () => {
  it('an invalid CHAOS_ADMIN_TOKEN or OPERATOR_TOKEN is named, never printed', () => {
    const secret = 'my secret value';
    let message = '';
    try {
      validateEnv(BaseEnv, { CHAOS_ADMIN_TOKEN: secret, OPERATOR_TOKEN: secret });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEnvironmentError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/CHAOS_ADMIN_TOKEN=<secret, 15 characters, not shown>/);
    expect(message).toMatch(/OPERATOR_TOKEN=<secret/);
    expect(message).not.toContain('secret value');
  });
});
