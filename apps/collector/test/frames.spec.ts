import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startTestProcess, startTestService, type TestProcess, type TestService } from '@airport-mesh/platform/testing';
import { collectorService } from '../src/service.js';

const sectionMain = join(import.meta.dirname, '../../section/dist/main.js');
const sample = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo/sample1.jpg'),
);
const SECTION_PORT = 18_185;

let seq = 1000;
const frame = (extra: Record<string, unknown> = {}) => ({
  cameraId: '3',
  section: '1',
  event: 'entry',
  timestamp: new Date().toISOString(),
  seq: seq++,
  image: sample.toString('base64'),
  ...extra,
});

describe('collector → section over real HTTP', () => {
  let dir: string;
  let section: TestProcess;
  let collector: TestService;

  const post = (body: unknown, contentType = 'application/json') =>
    fetch(`${collector.url}/frames`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const stored = async () =>
    (await (await fetch(`${section.url}/statistics?limit=1000`)).json()) as {
      total: number;
      items: { frameId: string }[];
    };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'collector-'));
    section = await startTestProcess(sectionMain, SECTION_PORT, {
      SECTION_ID: '1',
      DB_PATH: join(dir, 'section-1.db'),
    });
    collector = await startTestService(collectorService, { SECTION_URLS: `1=${section.url},2=http://127.0.0.1:9` });
  });
  afterAll(async () => {
    await collector?.close();
    await section?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges a frame once its section stored it', async () => {
    const body = frame();
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      frameId: `3:${body.seq}`,
      section: '1',
      personCount: null,
      alerts: [],
      duplicate: false,
    });
    expect((await stored()).items.map((i) => i.frameId)).toContain(`3:${body.seq}`);
  });

  it('stores a re-sent frame once and says it was a duplicate', async () => {
    const body = frame();
    expect((await post(body)).status).toBe(201);
    const before = (await stored()).total;
    const again = await post(body);
    expect(again.status).toBe(201);
    expect(((await again.json()) as { duplicate: boolean }).duplicate).toBe(true);
    expect((await stored()).total).toBe(before);
  });

  it('answers 502 and acknowledges nothing when the section cannot store', async () => {
    const res = await post(frame({ section: '2' })); // section 2 points at a closed port
    expect(res.status).toBe(502);
    expect(((await res.json()) as { detail: string }).detail).toMatch(
      /section 2 did not store the frame: ECONNREFUSED/,
    );
    const metrics = await (await fetch(`${collector.url}/metrics`)).text();
    expect(metrics).toMatch(/collector_frames_failed_total\{reason="section-2",service="collector",version="v1"\} 1/);
  });

  it('answers 502 and stores nothing when image analysis is unreachable', async () => {
    const analysing = await startTestService(collectorService, {
      SECTION_URLS: `1=${section.url}`,
      IMAGE_ANALYSIS_URL: 'http://127.0.0.1:9',
    });
    try {
      const before = (await stored()).total;
      const res = await fetch(`${analysing.url}/frames`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(frame()),
      });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { detail: string }).detail).toMatch(
        /not analysed: image-analysis failed: ECONNREFUSED/,
      );
      expect((await stored()).total).toBe(before);
    } finally {
      await analysing.close();
    }
  });

  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
  it.each([
    ['invalid JSON', '{"cameraId":"3",', 'application/json', 400, /not valid JSON/],
    [
      'missing fields',
      { cameraId: '3' },
      'application/json',
      400,
      /section must match.*event must be one of.*seq must be an integer.*image must be base64/,
    ],
    ['an unknown field', frame({ colour: 'red' }), 'application/json', 400, /property colour should not exist/],
    [
      'base64 that is not base64',
      frame({ image: '***not base64***' }),
      'application/json',
      400,
      /image must be base64/,
    ],
    [
      'base64 of a PNG',
      frame({ image: Buffer.concat([png, Buffer.alloc(200)]).toString('base64') }),
      'application/json',
      422,
      /not a JPEG/,
    ],
    [
      'a truncated JPEG',
      frame({ image: sample.subarray(0, sample.length / 2).toString('base64') }),
      'application/json',
      422,
      /truncated JPEG/,
    ],
    ['an unknown section', frame({ section: '9' }), 'application/json', 422, /unknown section 9/],
    ['a negative seq', frame({ seq: -1 }), 'application/json', 400, /seq must not be less than 0/],
    ['a raw JPEG body', sample, 'image/jpeg', 415, /Unsupported Media Type/i],
    [
      'a body over the limit',
      JSON.stringify(frame({ image: 'A'.repeat(9 * 1024 * 1024) })),
      'application/json',
      413,
      /too large/,
    ],
  ])('rejects %s with a problem body, storing nothing', async (_name, body, type, status, detail) => {
    const before = (await stored()).total;
    const res = await fetch(`${collector.url}/frames`, {
      method: 'POST',
      headers: { 'content-type': type },
      body: (typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)) as BodyInit,
    });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; title: string; detail: string };
    expect(problem.status).toBe(status);
    expect(`${problem.title}: ${problem.detail}`).toMatch(detail);
    expect((await stored()).total).toBe(before);
  });

  it('prints the seeds status line', async () => {
    expect(await (await fetch(`${collector.url}/status`)).text()).toBe('Collector v1 : Online');
  });
});
