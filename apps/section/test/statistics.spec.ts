import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from '@airport-mesh/platform/testing';
import { sectionService } from '../src/service.js';

const T0 = Date.now() - 2 * 3_600_000; // two hours ago: within the accepted skew, outside a 60 s window
const record = (seq: number, extra: Record<string, unknown> = {}) => ({
  frameId: `7:${seq}`,
  cameraId: '7',
  section: '1',
  event: 'entry',
  timestamp: new Date(T0 + seq * 1000).toISOString(),
  personCount: 2,
  faces: [
    { gender: 'male', age: 41.5, ageRange: '38-43' },
    { gender: 'female', age: 23, ageRange: '20-25' },
  ],
  ...extra,
});

describe('section service over HTTP with a real SQLite file', () => {
  let dir: string;
  let section: TestService;

  const post = (body: unknown, contentType = 'application/json') =>
    fetch(`${section.url}/statistics`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const count = async () =>
    ((await (await fetch(`${section.url}/statistics?limit=1`)).json()) as { total: number }).total;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'section-'));
    section = await startTestService(sectionService, { SECTION_ID: '1', DB_PATH: join(dir, 'section.db') });
  });
  afterAll(async () => {
    await section.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the seeds status line', async () => {
    const res = await fetch(`${section.url}/status`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Section 1 v1 : Online');
  });

  it('stores a frame once: 201, then 200 duplicate for the same frame, 409 for another frame under its id', async () => {
    const first = await post(record(1));
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ frameId: '7:1', stored: true, duplicate: false });
    const again = await post(record(1));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ frameId: '7:1', stored: false, duplicate: true });
    const other = await post(record(1, { personCount: 9 }));
    expect(other.status).toBe(409);
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await other.json()) as { detail: string }).detail).toMatch(/7:1 is stored already with other content/);
    const page = (await (await fetch(`${section.url}/statistics`)).json()) as {
      items: { frameId: string; personCount: number }[];
      total: number;
    };
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ frameId: '7:1', personCount: 2 });
  });

  it('summarises occupancy, genders and ages', async () => {
    await post(record(2, { event: 'exit', personCount: 1, faces: [{ gender: 'female', age: 67 }] }));
    const summary = await (await fetch(`${section.url}/summary`)).json();
    expect(summary).toMatchObject({
      section: '1',
      frames: 2,
      analysedFrames: 2,
      entries: 2,
      exits: 1,
      occupancy: 1,
      genders: { male: 1, female: 2, unknown: 0 },
      ages: { '40-49': 1, '20-29': 1, '60-69': 1 },
    });
    const recent = await (await fetch(`${section.url}/summary?windowSeconds=60`)).json();
    expect(recent).toMatchObject({ frames: 0, windowSeconds: 60 }); // the frames above were taken two hours ago
  });

  it.each([
    ['invalid JSON', '{"frameId":', 'application/json', 400, /not valid JSON/],
    ['a missing field', { ...record(3), event: undefined }, 'application/json', 400, /event must be one of/],
    ['an unknown field', record(4, { extra: true }), 'application/json', 400, /property extra should not exist/],
    ['a bad frame id', record(5, { frameId: 'nope' }), 'application/json', 400, /frameId must be cameraId:seq/],
    [
      'a seq beyond the shared bound',
      record(5, { frameId: '7:9007199254740992' }),
      'application/json',
      400,
      /frameId must be cameraId:seq with seq at most 9007199254740991/,
    ],
    [
      'a frame id of another camera',
      record(5, { frameId: '8:5' }),
      'application/json',
      400,
      /frameId must be cameraId:seq \(its camera part differs/,
    ],
    [
      'an ISO 8601 week date',
      record(5, { timestamp: '2026-W01-1' }),
      'application/json',
      400,
      /timestamp must be an RFC 3339 date-time with an offset/,
    ],
    [
      'a time without an offset',
      record(5, { timestamp: '2026-11-21T10:00:00' }),
      'application/json',
      400,
      /timestamp must be an RFC 3339 date-time with an offset/,
    ],
    [
      'a day that does not exist',
      record(5, { timestamp: '2026-02-30T10:00:00Z' }),
      'application/json',
      400,
      /timestamp must be an RFC 3339/,
    ],
    [
      'a far-future time',
      record(5, { timestamp: '2099-01-01T00:00:00Z' }),
      'application/json',
      400,
      /timestamp is more than 5 minutes ahead/,
    ],
    [
      'a time long past',
      record(5, { timestamp: '2020-01-01T00:00:00Z' }),
      'application/json',
      400,
      /timestamp is more than 24 hours behind/,
    ],
    [
      'a section that is not an id',
      record(5, { section: 'a b' }),
      'application/json',
      400,
      /section must be a section id/,
    ],
    ['a wrong type', record(6, { personCount: 'two' }), 'application/json', 400, /personCount must be an integer/],
    [
      'a negative age',
      record(7, { faces: [{ age: -3 }] }),
      'application/json',
      400,
      /faces\.0\.age|age must not be less than 0/,
    ],
    ['another section', record(8, { section: '2' }), 'application/json', 422, /belongs to section 2/],
    ['a non-JSON content type', 'frameId=1', 'text/plain', 415, /Unsupported Media Type/i],
    [
      'a body over the limit',
      JSON.stringify({ ...record(9), pad: 'x'.repeat(9 * 1024 * 1024) }),
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

  it('stores a frame with the largest seq the collector accepts', async () => {
    const max = record(0, { frameId: '7:9007199254740991', timestamp: new Date().toISOString() });
    const res = await post(max);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ frameId: '7:9007199254740991', stored: true });
  });

  it('answers readiness with the store and 404 with a problem body', async () => {
    const ready = await (await fetch(`${section.url}/health/ready`)).json();
    expect(ready).toMatchObject({ status: 'ok', info: { store: { status: 'up' } } });
    const missing = await fetch(`${section.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: string }).detail).toMatch(/Cannot GET \/nowhere/);
  });

  it('exposes request metrics and its own counters', async () => {
    const text = await (await fetch(`${section.url}/metrics`)).text();
    expect(text).toMatch(
      /http_server_requests_total\{method="POST",route="\/statistics",status_code="201",service="section-1",version="v1"\} \d+/,
    );
    expect(text).toMatch(/section_statistics_duplicates_total\{service="section-1",version="v1"\} 1/);
  });
});
