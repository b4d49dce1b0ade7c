import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from '@airport-mesh/platform/testing';
import { alertsService } from '../src/service.js';

const T0 = Date.now() - 2 * 3_600_000; // two hours ago: within the accepted clock skew
const alert = (seq: number, extra: Record<string, unknown> = {}) => ({
  frameId: `1:${seq}`,
  cameraId: '1',
  section: '1',
  event: 'entry',
  timestamp: new Date(T0 + seq * 1000).toISOString(),
  personId: 'p-42',
  name: 'PersonX',
  similarity: 0.83,
  box: { x: 10, y: 20, width: 64, height: 80 },
  ...extra,
});

interface Alert {
  id: number;
  frameId: string;
  personId: string;
  section: string;
  timestamp: string;
  name: string;
  storedAt: string;
  box?: unknown;
}
interface Page {
  items: Alert[];
  total: number;
  nextCursor: string | null;
}

describe('alerts service over HTTP with a real SQLite file', () => {
  let dir: string;
  let alerts: TestService;

  const post = (body: unknown, contentType = 'application/json') =>
    fetch(`${alerts.url}/alerts`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = async <T>(path: string): Promise<T> => (await fetch(`${alerts.url}${path}`)).json() as Promise<T>;
  const count = async () => (await get<Page>('/alerts?limit=1')).total;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'alerts-'));
    alerts = await startTestService(alertsService, { DB_PATH: join(dir, 'alerts.db') });
  });
  afterAll(async () => {
    await alerts.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the seeds status line', async () => {
    const res = await fetch(`${alerts.url}/status`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Alerts v1 : Online');
  });

  it('answers GET /alerts/latest with a 404 problem while there is no alert', async () => {
    const res = await fetch(`${alerts.url}/alerts/latest`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, detail: 'no alert yet' });
    expect(await get<Page>('/alerts')).toEqual({ items: [], total: 0, nextCursor: null });
  });

  it('stores an alert once per frame and person: 201, then 200 with the same body shape', async () => {
    const first = await post(alert(1));
    expect(first.status).toBe(201);
    const stored = (await first.json()) as { alert: Alert; stored: boolean; duplicate: boolean };
    expect(stored).toEqual({
      alert: { ...alert(1), id: expect.any(Number), storedAt: expect.any(String) },
      stored: true,
      duplicate: false,
    });
    const again = await post(alert(1));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ alert: stored.alert, stored: false, duplicate: true }); // as first stored
    const other = await post(alert(1, { name: 'Somebody else', similarity: 0.99 }));
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await other.json()) as { detail: string }).detail).toMatch(/from another frame; nothing changed/);
    expect(await count()).toBe(1);

    // Another person in the same frame is another alert.
    expect((await post(alert(1, { personId: 'p-7', name: 'George W' }))).status).toBe(201);
    expect(await count()).toBe(2);
  });

  it('serves the newest alert and pages newest first, by offset or by a cursor that new alerts do not shift', async () => {
    for (let seq = 2; seq <= 6; seq += 1) {
      expect((await post(alert(seq, { section: seq % 2 ? '1' : '2', box: undefined }))).status).toBe(201);
    }
    const latest = await get<Alert>('/alerts/latest');
    expect(latest).toMatchObject({ frameId: '1:6', section: '2' });
    expect(latest).not.toHaveProperty('box');
    expect(await get<Alert>('/alerts/latest?section=1')).toMatchObject({ frameId: '1:5' });

    const byOffset = await get<Page>('/alerts?limit=3&offset=3');
    expect(byOffset.total).toBe(7);
    expect(byOffset.items.map((a) => a.frameId)).toEqual(['1:3', '1:2', '1:1']);

    const first = await get<Page>('/alerts?limit=3');
    expect(first.items.map((a) => a.frameId)).toEqual(['1:6', '1:5', '1:4']);
    expect(first.nextCursor).toEqual(expect.any(String));
    await post(alert(7)); // arrives between two pages: a cursor is not shifted by it
    const second = await get<Page>(`/alerts?limit=3&cursor=${first.nextCursor}`);
    expect(second.items.map((a) => a.frameId)).toEqual(['1:3', '1:2', '1:1']);
    const third = await get<Page>(`/alerts?limit=3&cursor=${second.nextCursor}`);
    expect(third.items.map((a) => `${a.frameId}/${a.personId}`)).toEqual(['1:1/p-42']);
    expect(third.nextCursor).toBeNull();

    const section2 = await get<Page>('/alerts?section=2');
    expect(section2.total).toBe(3);
    expect(section2.items.map((a) => a.frameId)).toEqual(['1:6', '1:4', '1:2']);
  });

  it('with the image digest, a retry is the same frame however it was scored; another image is a 409', async () => {
    const digest = (c: string) => c.repeat(64);
    const body = alert(40, { frameId: '1:40', imageSha256: digest('a') });
    expect((await post(body)).status).toBe(201);
    const retried = await post({ ...body, similarity: 0.9, box: { x: 11, y: 20, width: 64, height: 80 } });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ duplicate: true, alert: { similarity: 0.83 } });
    const impostor = await post({ ...body, imageSha256: digest('b') });
    expect(impostor.status).toBe(409);
    const listed = await get<Page>('/alerts?limit=1000');
    expect(listed.items.filter((a) => a.frameId === '1:40')).toHaveLength(1);
  });

  it.each([
    ['invalid JSON', '{"frameId":', 'application/json', 400, /not valid JSON/],
    ['a missing field', { ...alert(20), personId: undefined }, 'application/json', 400, /personId must be/],
    ['an unknown field', alert(21, { colour: 'red' }), 'application/json', 400, /property colour should not exist/],
    ['a wrong type', alert(22, { similarity: 'high' }), 'application/json', 400, /similarity must be a number/],
    [
      'a similarity over 1',
      alert(23, { similarity: 1.5 }),
      'application/json',
      400,
      /similarity must not be greater than 1/,
    ],
    ['a bad frame id', alert(24, { frameId: 'nope' }), 'application/json', 400, /frameId must be cameraId:seq/],
    ['a bad event', alert(25, { event: 'inside' }), 'application/json', 400, /event must be one of/],
    [
      'a bad timestamp',
      alert(26, { timestamp: 'yesterday' }),
      'application/json',
      400,
      /timestamp must be an RFC 3339 date-time with an offset/,
    ],
    [
      'an ISO 8601 week date (once a 500)',
      alert(26, { timestamp: '2026-W01-1' }),
      'application/json',
      400,
      /timestamp must be an RFC 3339 date-time with an offset/,
    ],
    [
      'a far-future timestamp (it would pin the latest alert)',
      alert(26, { timestamp: '2999-12-31T23:59:59Z' }),
      'application/json',
      400,
      /timestamp is more than 5 minutes ahead/,
    ],
    [
      'a frame id beyond the shared seq bound',
      alert(26, { frameId: '1:99999999999999999' }),
      'application/json',
      400,
      /frameId must be cameraId:seq/,
    ],
    ['a negative box', alert(27, { box: { x: -1, y: 0, width: 1, height: 1 } }), 'application/json', 400, /box\.x/],
    [
      'an unknown box field',
      alert(28, { box: { x: 1, y: 0, width: 1, height: 1, depth: 3 } }),
      'application/json',
      400,
      /property depth should not exist/,
    ],
    ['an empty name', alert(29, { name: '' }), 'application/json', 400, /name must be longer/],
    ['a non-JSON content type', 'frameId=1', 'text/plain', 415, /Unsupported Media Type/i],
    [
      'a body over the limit',
      JSON.stringify({ ...alert(30), pad: 'x'.repeat(9 * 1024 * 1024) }),
      'application/json',
      413,
      /too large/,
    ],
  ])('rejects %s with a problem body and stores nothing', async (_name, body, type, status, detail) => {
    const before = await count();
    const res = await post(body, type);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; title: string; detail: string };
    expect(problem.status).toBe(status);
    expect(`${problem.title} ${problem.detail}`).toMatch(detail);
    expect(await count()).toBe(before);
  });

  it.each([
    ['/alerts?limit=0', /limit must not be less than 1/],
    ['/alerts?limit=abc', /limit must be an integer/],
    ['/alerts?offset=-1', /offset must not be less than 0/],
    ['/alerts?cursor=bm9wZQ', /cursor is not a nextCursor/],
    ['/alerts?cursor=***', /cursor must be a nextCursor value/],
    ['/alerts?section=a%20b', /section must be a section id/],
    ['/alerts?colour=red', /property colour should not exist/],
    ['/alerts/latest?section=!', /section must be a section id/],
  ])('rejects GET %s with a 400 problem', async (path, detail) => {
    const res = await fetch(`${alerts.url}${path}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
  });

  it('answers readiness with the store, and counts stored and duplicate alerts', async () => {
    expect(await get('/health/ready')).toMatchObject({
      status: 'ok',
      info: { store: { status: 'up', webhook: false } },
    });
    const text = await (await fetch(`${alerts.url}/metrics`)).text();
    expect(text).toMatch(/alerts_stored_total\{service="alerts",version="v1"\} 9/);
    expect(text).toMatch(/alerts_duplicates_total\{service="alerts",version="v1"\} 2/);
    expect(text).toMatch(/alerts_conflicts_total\{service="alerts",version="v1"\} 2/);
    expect(text).toMatch(
      /http_server_requests_total\{method="POST",route="\/alerts",status_code="201",service="alerts",version="v1"\} 9/,
    );
  });

  it('publishes its OpenAPI document with stable operation ids', async () => {
    const doc = await get<{ paths: Record<string, Record<string, { operationId: string }>> }>('/openapi.json');
    expect(doc.paths['/alerts'].post.operationId).toBe('storeAlert');
    expect(doc.paths['/alerts'].get.operationId).toBe('listAlerts');
    expect(doc.paths['/alerts/latest'].get.operationId).toBe('getLatestAlert');
  });
});
