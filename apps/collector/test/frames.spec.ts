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
const sample2 = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo/sample2.jpg'),
);
const SECTION_PORT = 18_185;
const ANALYSIS_PORT = 18_182;
const CPANEL_PORT = 18_180;
const cpanelMain = join(import.meta.dirname, '../../cpanel/dist/main.js');
const analysisMain = join(import.meta.dirname, '../../image-analysis/dist/main.js');

/** Valid SOI, frame header and EOI, but a Huffman table no decoder accepts: the analyser refuses it. */
function corruptJpeg(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 4 <= out.length; i += 2 + out.readUInt16BE(i + 2)) {
    if (out[i + 1] === 0xc4) {
      out.fill(0xff, i + 5, i + 21); // the 16 code-length counts of the first DHT segment
      return out;
    }
  }
  throw new Error('no DHT segment');
}

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
      /seq must be an integer.*image must be base64.*section must be a section id.*event must be one of.*timestamp must be an RFC 3339/,
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
    [
      'a seq beyond the shared bound',
      frame({ seq: 9007199254740992 }),
      'application/json',
      400,
      /seq must not be greater than 9007199254740991/,
    ],
    [
      'an ISO 8601 week date (once a 502)',
      frame({ timestamp: '2026-W01-1' }),
      'application/json',
      400,
      /timestamp must be an RFC 3339 date-time with an offset/,
    ],
    [
      'a far-future timestamp',
      frame({ timestamp: '2999-01-01T00:00:00Z' }),
      'application/json',
      400,
      /timestamp is more than 5 minutes ahead/,
    ],
    [
      'a camera id that is not an id',
      frame({ cameraId: 'a:b' }),
      'application/json',
      400,
      /cameraId must be a camera id/,
    ],
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

  it('passes the largest seq to the section, which stores it (one bound on seq for both)', async () => {
    const body = frame({ seq: 9007199254740991 });
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ frameId: '3:9007199254740991', duplicate: false });
    expect((await stored()).items.map((i) => i.frameId)).toContain('3:9007199254740991');
  });

  it('refuses another frame under a stored frame id with 409, and stores nothing', async () => {
    const body = frame();
    expect((await post(body)).status).toBe(201);
    const before = (await stored()).total;
    const other = sample2.toString('base64');
    const res = await post({ ...body, image: other });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/section 1 refused the frame: HTTP 409/);
    expect((await post({ ...body, event: 'exit' })).status).toBe(409);
    expect((await stored()).total).toBe(before);
    // The same frame again (re-stamped, as a camera may) is still a duplicate, not a conflict.
    const again = await post({ ...body, timestamp: new Date().toISOString() });
    expect(again.status).toBe(201);
    expect(((await again.json()) as { duplicate: boolean }).duplicate).toBe(true);
  });

  it('pushes the first analysis of a section to the panel at once, then only the newest of the interval', async () => {
    // A real cpanel; its upstreams are closed, so everything it shows was pushed by the collector.
    const CLOSED = 'http://127.0.0.1:9';
    const panel = await startTestProcess(cpanelMain, CPANEL_PORT, {
      VERSION: 'v1',
      SECTION_URLS: `1=${CLOSED},2=${CLOSED}`,
      ALERTS_URL: CLOSED,
      COLLECTOR_URL: CLOSED,
      IMAGE_ANALYSIS_URL: CLOSED,
      FACE_RECOGNITION_URL: CLOSED,
      UPSTREAM_TIMEOUT_MS: '300',
    });
    const pushing = await startTestService(collectorService, {
      SECTION_URLS: `1=${section.url},2=${CLOSED}`,
      CPANEL_URLS: panel.url,
      CPANEL_PUSH_INTERVAL_MS: '4000',
    });
    const shown = async () => {
      const res = await fetch(`${panel.url}/analysis/1`);
      return res.status === 200 ? ((await res.json()) as { frameId: string; source: string }) : undefined;
    };
    const until = async (frameId: string) => {
      for (let i = 0; i < 150; i++) {
        const latest = await shown();
        if (latest?.frameId === frameId) return latest;
        await new Promise((r) => setTimeout(r, 100));
      }
      return shown();
    };
    try {
      const frames = [frame(), frame(), frame(), frame()];
      for (const f of frames) {
        const res = await fetch(`${pushing.url}/frames`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(f),
        });
        expect(res.status).toBe(201); // every frame is acknowledged, whatever the panel gets
      }
      const first = `3:${frames[0].seq}`;
      const last = `3:${frames[3].seq}`;
      expect(await until(first)).toMatchObject({ frameId: first, source: 'collector' });
      // the second and third waited and were replaced by the fourth, sent when the interval ended
      expect(await until(last)).toMatchObject({ frameId: last, source: 'collector' });
      const metrics = await (await fetch(`${pushing.url}/metrics`)).text();
      expect(metrics).toMatch(/collector_cpanel_pushes_total\{kind="analysis",outcome="ok"[^}]*\} 2\n/);
      expect(metrics).toMatch(/collector_cpanel_pushes_total\{kind="analysis",outcome="superseded"[^}]*\} 2\n/);
    } finally {
      await pushing.close();
      await panel.kill();
    }
  }, 60_000);

  it('prints the seeds status line', async () => {
    expect(await (await fetch(`${collector.url}/status`)).text()).toBe('Collector v1 : Online');
  });
});

describe('collector → image-analysis → section over real HTTP', () => {
  let dir: string;
  let section: TestProcess;
  let analysis: TestProcess;
  let collector: TestService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'collector-analysis-'));
    [section, analysis] = await Promise.all([
      startTestProcess(sectionMain, SECTION_PORT + 1, { SECTION_ID: '1', DB_PATH: join(dir, 'section-1.db') }),
      startTestProcess(analysisMain, ANALYSIS_PORT, {}, 120_000),
    ]);
    collector = await startTestService(collectorService, {
      SECTION_URLS: `1=${section.url}`,
      IMAGE_ANALYSIS_URL: analysis.url,
      RESILIENCE: 'client',
    });
  }, 150_000);
  afterAll(async () => {
    await collector?.close();
    await Promise.all([section?.kill(), analysis?.kill()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const postFrame = (body: unknown) =>
    fetch(`${collector.url}/frames`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const total = async () =>
    ((await (await fetch(`${section.url}/statistics?limit=1`)).json()) as { total: number }).total;

  it("answers a corrupt JPEG with the analyser's 4xx (never 502), stores nothing, and keeps serving", async () => {
    const before = await total();
    for (let i = 0; i < 6; i += 1) {
      // more than the breaker's failure threshold: a refusal must not count as a failure
      const res = await postFrame(frame({ image: corruptJpeg(sample).toString('base64') }));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/image-analysis refused the frame: HTTP 4\d\d/);
    }
    expect(await total()).toBe(before);
    const good = await postFrame(frame());
    expect(good.status).toBe(201);
    expect(((await good.json()) as { personCount: number }).personCount).toBeGreaterThan(0);
    expect(await total()).toBe(before + 1);
  }, 60_000);
});

describe('collector admission: FRAMES_MAX_IN_FLIGHT frames at once, the next refused at the door', () => {
  const token = 'admission-test-token';
  let dir: string;
  let section: TestProcess;
  let collector: TestService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'collector-admission-'));
    section = await startTestProcess(sectionMain, SECTION_PORT + 2, {
      SECTION_ID: '1',
      DB_PATH: join(dir, 'section-1.db'),
      CHAOS_ADMIN_TOKEN: token,
    });
    // the section takes 1.5 s to store a frame: one frame holds the collector's only slot that long
    const chaos = await fetch(`${section.url}/chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ delayMs: 1500, delayRate: 1, routes: ['/statistics'] }),
    });
    expect(chaos.status).toBe(200);
    collector = await startTestService(collectorService, {
      SECTION_URLS: `1=${section.url}`,
      FRAMES_MAX_IN_FLIGHT: '1',
    });
  }, 60_000);
  afterAll(async () => {
    await collector?.close();
    await section?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: unknown) =>
    fetch(`${collector.url}/frames`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const storedIds = async () =>
    (
      (await (await fetch(`${section.url}/statistics?limit=1000`)).json()) as { items: { frameId: string }[] }
    ).items.map((i) => i.frameId);
  const metric = async (name: string) => {
    const text = await (await fetch(`${collector.url}/metrics`)).text();
    return Number(new RegExp(`^${name}\\{[^}]*route="/frames"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);
  };

  it('refuses a second frame with 503, Retry-After and a problem body while one is handled, loses nothing acknowledged', async () => {
    expect(await metric('http_in_flight_limit')).toBe(1);
    const first = frame();
    const second = frame();
    const pending = post(first);
    // the first frame is inside (waiting for the slow section) before the second arrives
    for (let i = 0; i < 50 && (await metric('http_in_flight')) < 1; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await metric('http_in_flight')).toBe(1);
    const refused = await post(second);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await refused.json()) as { status: number; type: string; detail: string };
    expect(body).toMatchObject({ status: 503, type: 'urn:airport-mesh:admission:busy' });
    expect(body.detail).toMatch(/1 POST \/frames requests are being handled/);
    expect(await metric('http_admission_shed_total')).toBe(1);

    const ok = await pending;
    expect(ok.status).toBe(201);
    const ack = (await ok.json()) as { frameId: string };
    // the slot is free again: the refused frame, sent once more, is taken
    for (let i = 0; i < 50 && (await metric('http_in_flight')) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    const again = await post(second);
    expect(again.status).toBe(201);
    const ack2 = (await again.json()) as { frameId: string };
    expect(await storedIds()).toEqual(expect.arrayContaining([ack.frameId, ack2.frameId]));
    expect(await metric('http_admission_shed_total')).toBe(1);
  }, 30_000);
});

describe('collector admission: the adaptive door (FRAMES_TARGET_LATENCY_MS) follows the latency frames get', () => {
  const token = 'adaptive-door-token';
  let dir: string;
  let section: TestProcess;
  let collector: TestService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'collector-adaptive-'));
    section = await startTestProcess(sectionMain, SECTION_PORT + 3, {
      SECTION_ID: '1',
      DB_PATH: join(dir, 'section-1.db'),
      CHAOS_ADMIN_TOKEN: token,
    });
    collector = await startTestService(collectorService, {
      SECTION_URLS: `1=${section.url}`,
      FRAMES_MAX_IN_FLIGHT: '6',
      FRAMES_MIN_IN_FLIGHT: '1',
      FRAMES_TARGET_LATENCY_MS: '300',
    });
  }, 60_000);
  afterAll(async () => {
    await collector?.close();
    await section?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: unknown) =>
    fetch(`${collector.url}/frames`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const metric = async (name: string) => {
    const text = await (await fetch(`${collector.url}/metrics`)).text();
    return Number(new RegExp(`^${name}\\{[^}]*route="/frames"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1]);
  };
  const chaos = (body: unknown) =>
    fetch(`${section.url}/chaos`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  /**
   * Repeats `step` until `done`, for at most 15 s. The door changes at most once per 250 ms window, so
   * what drives it is bounded by time, not by a number of bursts: on a fast machine 60 bursts took less
   * time than the five windows the door needs to open from 1 to 6.
   */
  const drive = async (done: () => Promise<boolean>, step: () => Promise<unknown>) => {
    for (const end = Date.now() + 15_000; Date.now() < end && !(await done());) await step();
  };
  const limitIs = (n: number) => async () => (await metric('http_in_flight_limit')) === n;
  /** Sends `n` frames at once; every answer is a 201 (then stored) or a 503 problem from the door. */
  const burst = async (n: number, acknowledged: string[]) => {
    const answers = await Promise.all(Array.from({ length: n }, () => post(frame())));
    let refused = 0;
    for (const res of answers) {
      if (res.status === 201) acknowledged.push(((await res.json()) as { frameId: string }).frameId);
      else {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(((await res.json()) as { type: string }).type).toBe('urn:airport-mesh:admission:busy');
        refused++;
      }
    }
    return refused;
  };

  it('grows while it is full and frames are fast, falls to its least while a dependency is slow, loses nothing', async () => {
    const acknowledged: string[] = [];
    // it starts at its least
    expect(await metric('http_in_flight_limit')).toBe(1);
    let refused = 0;
    // fast frames (no analyser, a quick section), the door full: it opens up to its most
    await drive(limitIs(6), async () => (refused += await burst(8, acknowledged)));
    expect(await metric('http_in_flight_limit')).toBe(6);
    expect(refused).toBeGreaterThan(0);
    // the section takes 700 ms per frame, more than twice the target: the door closes down to one
    expect((await chaos({ delayMs: 700, delayRate: 1, routes: ['/statistics'] })).status).toBe(200);
    await drive(limitIs(1), async () => (refused += await burst(6, acknowledged)));
    expect(await metric('http_in_flight_limit')).toBe(1);
    expect(await metric('http_admission_shed_total')).toBe(refused);
    // every acknowledged frame is stored
    const stored = (
      (await (await fetch(`${section.url}/statistics?limit=1000`)).json()) as { items: { frameId: string }[] }
    ).items.map((i) => i.frameId);
    expect(stored).toEqual(expect.arrayContaining(acknowledged));
  }, 60_000);

  it('falls to its least while a dependency fails fast: a 502 is congestion, not a fast answer', async () => {
    const acknowledged: string[] = [];
    expect((await chaos({ delayMs: 0, delayRate: 0 })).status).toBe(200);
    await drive(limitIs(6), () => burst(8, acknowledged));
    expect(await metric('http_in_flight_limit')).toBe(6);
    // the section refuses every frame at once (503): the collector answers 502 within milliseconds
    expect((await chaos({ errorRate: 1, errorStatus: 503, routes: ['/statistics'] })).status).toBe(200);
    const statuses: number[] = [];
    await drive(limitIs(1), async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => post(frame())));
      for (const res of answers) {
        statuses.push(res.status);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        await res.json();
      }
    });
    expect(await metric('http_in_flight_limit')).toBe(1);
    expect(statuses).toContain(502);
    expect(statuses.every((s) => s === 502 || s === 503)).toBe(true);
    // healed, fast again: it opens up again, and what it acknowledged is stored
    expect((await chaos({ errorRate: 0 })).status).toBe(200);
    await drive(limitIs(6), () => burst(8, acknowledged));
    expect(await metric('http_in_flight_limit')).toBe(6);
    const stored = (
      (await (await fetch(`${section.url}/statistics?limit=1000`)).json()) as { items: { frameId: string }[] }
    ).items.map((i) => i.frameId);
    expect(stored).toEqual(expect.arrayContaining(acknowledged));
  }, 60_000);
});
