/**
 * cpanel over real HTTP: pushes from the collector, read-through from real section and alerts
 * processes, camera control of a real camera agent, the cameras file, /health/all with a dead and a
 * hanging service, the SSE stream, the dashboard page, and bad input everywhere.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  startTestProcess,
  startTestService,
  TEST_OPERATOR_TOKEN,
  testOperatorHeaders,
  type TestProcess,
  type TestService,
} from '@airport-mesh/platform/testing';
import { cpanelService } from '../src/service.js';

const apps = resolve(import.meta.dirname, '../..');
const main = (app: string) => join(apps, app, 'dist/main.js');
const sample = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo/sample1.jpg'),
);
const PORTS = { section1: 18_785, alerts: 18_784, camera1: 18_791 };
const CLOSED = 'http://127.0.0.1:9';
const TIMEOUT = 60_000;

const post = (url: string, body: unknown, contentType = 'application/json') =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...testOperatorHeaders },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const getJson = async <T = Record<string, unknown>>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;

let seq = Date.now() - 60_000;
const analysis = (extra: Record<string, unknown> = {}) => {
  seq += 1000;
  return {
    frameId: `2:${seq}`,
    cameraId: '2',
    section: '1',
    event: 'exit',
    timestamp: new Date(seq).toISOString(),
    personCount: 1,
    faces: [
      {
        box: { x: 10, y: 20, width: 50, height: 60 },
        score: 0.97,
        gender: 'male',
        genderScore: 0.9,
        age: 40.2,
        ageRange: '38-43',
      },
    ],
    matches: [{ personId: 'p-42', name: 'PersonX', similarity: 0.83, box: { x: 10, y: 20, width: 50, height: 60 } }],
    ...extra,
  };
};
const alert = (extra: Record<string, unknown> = {}) => {
  seq += 1000;
  return {
    frameId: `2:${seq}`,
    cameraId: '2',
    section: '1',
    event: 'entry',
    timestamp: new Date(seq).toISOString(),
    personId: 'p-42',
    name: 'PersonX',
    similarity: 0.83,
    ...extra,
  };
};

async function expectProblem(res: Response, status: number, detail: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as { status: number; title: string; detail: string };
  expect(body.status).toBe(status);
  expect(`${body.title} ${body.detail}`).toMatch(detail);
  return body;
}

/** A TCP server that accepts connections and never answers: a hanging service. */
async function hangingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => sockets.add(s));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}

/** Reads SSE events from a streaming fetch until `until` matches one (or the time is up). */
async function readEvents(
  url: string,
  act: () => Promise<void>,
  until: (e: { event: string; data: unknown }) => boolean,
  timeoutMs = 8000,
) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const events: { event: string; data: unknown }[] = [];
  try {
    const res = await fetch(url, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let acted = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data: '))
          .map((l) => l.slice(6))
          .join('\n');
        const parsed = { event, data: data ? JSON.parse(data) : null };
        events.push(parsed);
        if (!acted && event === 'snapshot') {
          acted = true;
          await act();
        } else if (until(parsed)) {
          abort.abort();
          return events;
        }
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
  }
  return events;
}

describe('cpanel over real HTTP', () => {
  let dir: string;
  let camerasFile: string;
  let section1: TestProcess;
  let alerts: TestProcess;
  let camera1: TestProcess;
  let hanging: Awaited<ReturnType<typeof hangingServer>>;
  let v1: TestService;
  let v2: TestService;
  const earliest = { frameId: '', timestamp: '' };

  const cameras = (list: unknown[]) =>
    writeFileSync(camerasFile, typeof list === 'string' ? list : JSON.stringify({ cameras: list }));
  const camera = (id: number, url: string, extra: Record<string, unknown> = {}) => ({
    id,
    description: `camera ${id}`,
    url,
    section: 1,
    type: id % 2 ? 'exit' : 'entry',
    ...extra,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cpanel-'));
    camerasFile = join(dir, 'cameras.json');
    [section1, alerts, camera1, hanging] = await Promise.all([
      startTestProcess(main('section'), PORTS.section1, { SECTION_ID: '1', DB_PATH: join(dir, 's1.db') }),
      startTestProcess(main('alerts'), PORTS.alerts, { DB_PATH: join(dir, 'alerts.db') }),
      startTestProcess(main('camera-agent'), PORTS.camera1, {
        CAMERA_ID: '1',
        CAMERA_SECTION: '1',
        CAMERA_EVENT: 'exit',
        COLLECTOR_URL: CLOSED,
        CAMERA_RETRIES: '0',
      }),
      hangingServer(),
    ]);
    // Stored before cpanel starts: a statistics record and an alert, which cpanel must read through.
    seq += 1000;
    Object.assign(earliest, { frameId: `1:${seq}`, timestamp: new Date(seq).toISOString() });
    expect(
      (
        await post(`${section1.url}/statistics`, {
          ...earliest,
          cameraId: '1',
          section: '1',
          event: 'entry',
          personCount: 2,
          faces: [{ gender: 'female', age: 23, ageRange: '20-25' }],
        })
      ).status,
    ).toBe(201);
    expect((await post(`${alerts.url}/alerts`, { ...alert({ name: 'George W', personId: 'p-7' }) })).status).toBe(201);

    // Camera 1 in the file points nowhere; CAMERA_URLS moves it to the real agent. Camera 2 is down.
    cameras([camera(1, 'http://camera-agent-1:8080'), camera(2, CLOSED)]);
    const env = {
      CAMERAS_FILE: camerasFile,
      CAMERA_URLS: `1=${camera1.url}`,
      SECTION_URLS: `1=${section1.url},2=${CLOSED}`,
      ALERTS_URL: alerts.url,
      COLLECTOR_URL: CLOSED,
      IMAGE_ANALYSIS_URL: hanging.url,
      FACE_RECOGNITION_URL: CLOSED,
      UPSTREAM_TIMEOUT_MS: '500',
      REFRESH_INTERVAL_MS: '0',
    };
    [v1, v2] = await Promise.all([
      startTestService(cpanelService, env),
      startTestService(cpanelService, { ...env, VERSION: 'v2' }),
    ]);
  }, TIMEOUT);

  afterAll(async () => {
    await Promise.all([v1?.close(), v2?.close()]);
    await Promise.all([section1?.kill(), alerts?.kill(), camera1?.kill(), hanging?.close()]);
    rmSync(dir, { recursive: true, force: true });
  }, TIMEOUT);

  it('prints the seeds status lines of both versions', async () => {
    expect(await (await fetch(`${v1.url}/status`)).text()).toBe('CPanel v1 : Online');
    expect(await (await fetch(`${v2.url}/status`)).text()).toBe('CPanel v2 : Online');
  });

  it('reads the latest statistics and alert through from the section and alerts services after a start', async () => {
    await fetch(`${v1.url}/`); // the first page waits (at most 1.5 s) for the first read-through
    // On a busy machine the read-through can take longer than the page waits: it is read again until
    // it is there (the deadline of the test bounds it).
    let items: { frameId: string; source: string; faces: unknown[] }[] = [];
    for (let tries = 0; items.length === 0 && tries < 100; tries++) {
      if (tries > 0) await new Promise((r) => setTimeout(r, 100));
      ({ items } = await getJson<{ items: typeof items }>(`${v1.url}/analysis`));
    }
    expect(items).toEqual([
      expect.objectContaining({
        frameId: earliest.frameId,
        source: 'section',
        faces: [{ gender: 'female', age: 23, ageRange: '20-25' }],
      }),
    ]);
    expect(await getJson(`${v1.url}/alert`)).toMatchObject({ name: 'George W', source: 'alerts', id: 1 });
    const page = await (await fetch(`${v1.url}/index`)).text();
    expect(page).toContain('gender: female | age: 20-25 | event: entry');
    expect(page).toContain('name: <strong>George W</strong>');
  });

  it('takes the latest analysis of a frame (POST /analysis) and serves it per section; a late frame does not replace it', async () => {
    const body = analysis();
    const res = await post(`${v1.url}/analysis`, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ frameId: body.frameId, section: '1', latest: true });
    const latest = await getJson(`${v1.url}/analysis/1`);
    expect(latest).toMatchObject({ ...body, source: 'collector', photo: null, receivedAt: expect.any(String) });
    const late = analysis({ timestamp: earliest.timestamp });
    expect(await (await post(`${v1.url}/analysis`, late)).json()).toEqual({
      frameId: late.frameId,
      section: '1',
      latest: false,
    });
    expect(await getJson(`${v1.url}/analysis/1`)).toMatchObject({ frameId: body.frameId });
    expect((await getJson<{ items: unknown[] }>(`${v1.url}/analysis`)).items).toHaveLength(1);
    await expectProblem(await fetch(`${v1.url}/analysis/2`), 404, /no analysis of section 2 yet/);
    const page = await (await fetch(`${v1.url}/`)).text();
    expect(page).toContain(`timestamp: <time datetime="${body.timestamp}">`);
    expect(page).toContain('gender: male | age: 38-43 | event: exit');
  });

  it('v2 keeps the photo of the latest frame and serves it; v1 drops it', async () => {
    const body = analysis({ image: sample.toString('base64') });
    expect((await post(`${v2.url}/analysis`, body)).status).toBe(200);
    const latest = await getJson<{ photo: { url: string; width: number; height: number } }>(`${v2.url}/analysis/1`);
    expect(latest.photo).toEqual({
      url: `/analysis/1/photo?frame=${encodeURIComponent(body.frameId)}`,
      width: 1920,
      height: 1280,
    });
    expect(latest).not.toHaveProperty('image');
    const photo = await fetch(`${v2.url}${latest.photo.url}`, { headers: testOperatorHeaders });
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await photo.arrayBuffer()).equals(sample)).toBe(true);
    const page = await (await fetch(`${v2.url}/`)).text();
    expect(page).toContain('<svg class="overlay" viewBox="0 0 1920 1280"');
    expect(page).toContain('PersonX 83%');

    expect((await post(`${v1.url}/analysis`, analysis({ image: sample.toString('base64') }))).status).toBe(200);
    expect((await getJson(`${v1.url}/analysis/1`)).photo).toBeNull();
    await expectProblem(await fetch(`${v1.url}/analysis/1/photo`, { headers: testOperatorHeaders }), 404, /v2 only/);
  });

  it("takes the latest alert (POST /alert), also in the alerts service's stored form", async () => {
    const body = alert();
    const res = await post(`${v1.url}/alert`, body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ frameId: body.frameId, personId: 'p-42', latest: true });
    expect(await getJson(`${v1.url}/alert`)).toMatchObject({ ...body, source: 'collector' });
    const stored = alert({ id: 12, storedAt: new Date().toISOString(), box: { x: 1, y: 2, width: 3, height: 4 } });
    expect((await post(`${v1.url}/alert`, stored)).status).toBe(200);
    expect(await getJson(`${v1.url}/alert`)).toMatchObject(stored);
  });

  it('streams a snapshot, then each pushed analysis and alert, over SSE', async () => {
    const body = analysis();
    const pushedAlert = alert();
    const events = await readEvents(
      `${v2.url}/events`,
      async () => {
        expect((await post(`${v2.url}/analysis`, body)).status).toBe(200);
        expect((await post(`${v2.url}/alert`, pushedAlert)).status).toBe(200);
      },
      (e) => e.event === 'alert',
    );
    const [snapshot] = events;
    expect(snapshot).toMatchObject({
      event: 'snapshot',
      data: {
        version: 'v2',
        statusLine: 'CPanel v2 : Online',
        sections: expect.any(Array),
        cameras: expect.any(Array),
      },
    });
    const pushed = events.find(
      (e) =>
        e.event === 'analysis' && (e.data as { analysis?: { frameId: string } }).analysis?.frameId === body.frameId,
    );
    expect(pushed?.data).toMatchObject({
      section: '1',
      analysis: { frameId: body.frameId },
      agePoints: [{ t: body.timestamp, age: 40.2, gender: 'male' }],
    });
    expect(events.at(-1)).toMatchObject({ event: 'alert', data: { frameId: pushedAlert.frameId, name: 'PersonX' } });
  });

  describe('cameras', () => {
    it('lists the cameras file, with CAMERA_URLS applied and each state read from the camera', async () => {
      const list = await getJson<{ file: string; cameras: Record<string, unknown>[] }>(`${v1.url}/cameras`);
      expect(list.file).toBe(camerasFile);
      expect(list.cameras.map((c) => [c.id, c.url, c.section, c.type])).toEqual([
        ['1', camera1.url, '1', 'exit'],
        ['2', CLOSED, '1', 'entry'],
      ]);
      const state = await getJson(`${v1.url}/cameras/1/state`);
      expect(state).toMatchObject({
        id: '1',
        error: null,
        state: { streaming: false, section: '1', event: 'exit', destination: CLOSED },
      });
      await expectProblem(
        await fetch(`${v1.url}/cameras/2/state`),
        502,
        /camera 2 \(http:\/\/127\.0\.0\.1:9\): ECONNREFUSED/,
      );
    });

    it('starts and stops a camera through its agent', async () => {
      const started = await post(`${v1.url}/cameras/1/start`, { fps: 5 });
      expect(started.status).toBe(200);
      expect(await started.json()).toMatchObject({ id: '1', state: { streaming: true, fps: 5 }, error: null });
      expect(await getJson(`${camera1.url}/state`)).toMatchObject({ streaming: true, fps: 5 });
      const stopped = await fetch(`${v1.url}/cameras/1/stop`, { method: 'POST', headers: testOperatorHeaders }); // no body at all
      expect(stopped.status).toBe(200);
      expect(await stopped.json()).toMatchObject({ state: { streaming: false, fps: 0 } });
      const again = await fetch(`${v1.url}/cameras/1/start`, { method: 'POST', headers: testOperatorHeaders });
      expect(again.status).toBe(200);
      expect((await post(`${v1.url}/cameras/1/stop`, {})).status).toBe(200);
    });

    it.each([
      ['an unknown camera', '/cameras/7/start', {}, 404, /no camera 7 in the cameras file; known: 1, 2/],
      ['an unknown camera (stop)', '/cameras/7/stop', {}, 404, /no camera 7/],
      ['a camera id that is not one', '/cameras/a.b/start', {}, 400, /id must be a camera id/],
      [
        'a camera that is down',
        '/cameras/2/start',
        {},
        502,
        /camera 2 \(http:\/\/127\.0\.0\.1:9\) did not start: ECONNREFUSED/,
      ],
      ['an fps out of range', '/cameras/1/start', { fps: 500 }, 400, /fps must not be greater than 60/],
      ['an unknown option', '/cameras/1/start', { speed: 3 }, 400, /property speed should not exist/],
      ['a wrong type', '/cameras/1/start', { maxFrames: 'many' }, 400, /maxFrames must be an integer/],
      ['invalid JSON', '/cameras/1/start', '{"fps":', 400, /not valid JSON/],
    ])('refuses %s with a problem body', async (_name, path, body, status, detail) => {
      await expectProblem(await post(`${v1.url}${path}`, body), status, detail);
      expect(await getJson(`${camera1.url}/state`)).toMatchObject({ streaming: false });
    });

    it('re-reads the cameras file; an invalid one is a 422 that names every problem and changes nothing', async () => {
      cameras([
        camera(1, 'http://ignored:1'),
        camera(3, CLOSED, { section: 2, description: 'entry camera section 2' }),
      ]);
      const reloaded = await post(`${v1.url}/cameras/reload`, {});
      expect(reloaded.status).toBe(200);
      expect(
        ((await reloaded.json()) as { cameras: { id: string; url: string }[] }).cameras.map((c) => [c.id, c.url]),
      ).toEqual([
        ['1', camera1.url],
        ['3', CLOSED],
      ]);

      const before = await getJson<{ cameras: unknown[]; loadedAt: string }>(`${v1.url}/cameras`);
      for (const [content, detail] of [
        ['{"cameras": [', /not valid JSON/],
        [
          JSON.stringify({ cameras: [camera(5, 'ftp://x'), camera(5, CLOSED, { type: 'inside' })] }),
          /cameras\[0\]\.url must be an http\(s\) URL; cameras\[1\]\.id 5 is used twice; cameras\[1\]\.type must be one of entry, exit/,
        ],
        [JSON.stringify({ cameras: [camera(4, CLOSED, { colour: 'red' })] }), /unknown field colour/],
      ] as const) {
        writeFileSync(camerasFile, content);
        const body = await expectProblem(
          await fetch(`${v1.url}/cameras/reload`, { method: 'POST', headers: testOperatorHeaders }),
          422,
          detail,
        );
        expect(body.detail).toMatch(/the cameras in use are kept/);
        expect((body as { errors?: string[] }).errors?.length).toBeGreaterThan(0);
        expect(await getJson(`${v1.url}/cameras`)).toEqual(before);
      }
      rmSync(camerasFile);
      await expectProblem(
        await fetch(`${v1.url}/cameras/reload`, { method: 'POST', headers: testOperatorHeaders }),
        422,
        /cannot be read \(ENOENT\)/,
      );
      cameras([camera(1, 'http://camera-agent-1:8080'), camera(2, CLOSED)]);
      expect((await post(`${v1.url}/cameras/reload`, {})).status).toBe(200);
    });
  });

  it("GET /health/all lists every service's status line; dead and hanging ones as unreachable, without waiting for them", async () => {
    const t0 = Date.now();
    const health = await getJson<{
      online: number;
      total: number;
      services: { name: string; online: boolean; status: string | null; error: string | null; state?: unknown }[];
    }>(`${v1.url}/health/all`);
    expect(Date.now() - t0).toBeLessThan(2000); // the hanging one is cut at UPSTREAM_TIMEOUT_MS (500)
    const by = Object.fromEntries(health.services.map((s) => [s.name, s]));
    expect(Object.keys(by)).toEqual([
      'cpanel',
      'collector',
      'section-1',
      'section-2',
      'alerts',
      'camera-1',
      'camera-2',
      'image-analysis',
      'face-recognition',
    ]);
    expect(by.cpanel).toMatchObject({ online: true, status: 'CPanel v1 : Online' });
    expect(by['section-1']).toMatchObject({ online: true, status: 'Section 1 v1 : Online', error: null });
    expect(by.alerts).toMatchObject({ online: true, status: 'Alerts v1 : Online' });
    expect(by['camera-1']).toMatchObject({
      online: true,
      status: 'Camera 1 v1 : Online',
      state: { streaming: false, event: 'exit' },
    });
    expect(by.collector).toMatchObject({ online: false, status: null, error: 'ECONNREFUSED' });
    expect(by['section-2']).toMatchObject({ online: false, error: 'ECONNREFUSED' });
    expect(by['image-analysis']).toMatchObject({ online: false, error: 'no answer within 500 ms' });
    expect(health).toMatchObject({ online: 4, total: 9 });

    const text = await fetch(`${v1.url}/health/all?format=text`);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    const lines = (await text.text()).split('\n');
    expect(lines[0]).toMatch(/^cpanel +CPanel v1 : Online$/);
    expect(lines).toContainEqual(expect.stringMatching(/^image-analysis +UNREACHABLE \(no answer within 500 ms\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^camera-1 +Camera 1 v1 : Online \{"streaming":false,/));
    await expectProblem(await fetch(`${v1.url}/health/all?format=xml`), 400, /format must be one of/);
  });

  it('serves the dashboard page with its own assets and a strict content security policy', async () => {
    const page = await fetch(`${v2.url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(
      /default-src 'self'; script-src 'self'; style-src 'self'/,
    );
    const html = await page.text();
    expect(html).toContain('<h1 class="page-title">Dashboard V2</h1>');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i); // nothing from the internet
    for (const [path, type] of [
      ['/assets/dashboard.js', 'text/javascript'],
      ['/assets/render.js', 'text/javascript'],
      ['/assets/dashboard.css', 'text/css'],
    ]) {
      const res = await fetch(`${v2.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(new RegExp(`^${type}`));
      expect((await res.text()).length).toBeGreaterThan(1000);
    }
    await expectProblem(await fetch(`${v2.url}/assets/secret.js`), 404, /no asset secret\.js/);
    await expectProblem(await fetch(`${v2.url}/assets/..%2Fpackage.json`), 404, /no asset/);
  });

  it('signs in: a wrong token is a 401 problem, the right one a body and an HttpOnly cookie GET /session knows', async () => {
    const signIn = (body: string) =>
      fetch(`${v1.url}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await expectProblem(await signIn(JSON.stringify({ token: 'not-the-token' })), 401, /wrong operator credential/);
    await expectProblem(await signIn('{"token":'), 400, /JSON/i);
    expect((await getJson(`${v1.url}/session`)).signedIn).toBe(false);

    const res = await signIn(JSON.stringify({ token: TEST_OPERATOR_TOKEN }));
    // A body, not a 204: the sign-in page reads it to the end before it navigates.
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ signedIn: true });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^am_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const session = (await (
      await fetch(`${v1.url}/session`, { headers: { cookie: cookie.split(';')[0] } })
    ).json()) as {
      signedIn: boolean;
    };
    expect(session.signedIn).toBe(true);

    const out = await fetch(`${v1.url}/session`, { method: 'DELETE', headers: { cookie: cookie.split(';')[0] } });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ signedIn: false });
    expect(out.headers.get('set-cookie')).toMatch(/^am_session=; .*Max-Age=0$/);
  });

  it('shows at most 16 sections: pushes for more are a 422 problem and add no state', async () => {
    let accepted = 0;
    let refused: Response | undefined;
    for (let i = 0; i < 40 && !refused; i += 1) {
      const res = await post(`${v2.url}/analysis`, analysis({ section: `extra-${i}` }));
      if (res.status === 200) accepted += 1;
      else refused = res;
    }
    expect(refused).toBeDefined();
    await expectProblem(refused!, 422, /at most 16 sections/);
    const { items } = await getJson<{ items: unknown[] }>(`${v2.url}/analysis`);
    expect(items.length).toBeLessThanOrEqual(16);
    expect(accepted).toBeLessThan(16);
    expect((await fetch(`${v2.url}/analysis/extra-39`)).status).toBe(404);
    expect((await post(`${v2.url}/analysis`, analysis())).status).toBe(200); // a shown section still is
  });

  describe('bad input changes nothing', () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(100)]);
    it.each([
      ['invalid JSON', '{"frameId":', 'application/json', 400, /not valid JSON/],
      ['an unknown field', analysis({ colour: 'red' }), 'application/json', 400, /property colour should not exist/],
      ['a wrong type', analysis({ personCount: 'two' }), 'application/json', 400, /personCount must be an integer/],
      ['a face without a box', analysis({ faces: [{ score: 0.9 }] }), 'application/json', 400, /faces\.0\.box/],
      [
        'an unknown gender',
        analysis({ faces: [{ box: { x: 1, y: 1, width: 1, height: 1 }, score: 0.9, gender: 'robot' }] }),
        'application/json',
        400,
        /gender must be one of/,
      ],
      [
        'a match without a name',
        analysis({ matches: [{ personId: 'p', similarity: 0.5 }] }),
        'application/json',
        400,
        /matches\.0\.name/,
      ],
      ['a bad frame id', analysis({ frameId: 'x' }), 'application/json', 400, /frameId must be cameraId:seq/],
      ['an image that is not base64', analysis({ image: '***' }), 'application/json', 400, /image must be base64/],
      [
        'an image that is a PNG',
        analysis({ image: png.toString('base64') }),
        'application/json',
        422,
        /image is not a JPEG/,
      ],
      [
        'a truncated JPEG',
        analysis({ image: sample.subarray(0, 30).toString('base64') }),
        'application/json',
        422,
        /truncated JPEG/,
      ],
      ['a non-JSON content type', 'frameId=1', 'text/plain', 415, /Unsupported Media Type/i],
      [
        'a body over the limit',
        JSON.stringify(analysis({ image: 'A'.repeat(9 * 1024 * 1024) })),
        'application/json',
        413,
        /too large/,
      ],
    ])('POST /analysis with %s → problem', async (_name, body, type, status, detail) => {
      const before = await getJson(`${v2.url}/analysis`);
      await expectProblem(await post(`${v2.url}/analysis`, body, type), status, detail);
      expect(await getJson(`${v2.url}/analysis`)).toEqual(before);
    });

    it.each([
      ['a missing name', alert({ name: undefined }), 400, /name must be/],
      ['a similarity over 1', alert({ similarity: 2 }), 400, /similarity must not be greater than 1/],
      ['an unknown field', alert({ extra: 1 }), 400, /property extra should not exist/],
      ['a bad event', alert({ event: 'inside' }), 400, /event must be one of/],
      [
        'a far-future timestamp (it would pin the latest alert)',
        alert({ timestamp: '2999-01-01T00:00:00Z' }),
        400,
        /timestamp is more than 5 minutes ahead/,
      ],
      ['an ISO 8601 week date', alert({ timestamp: '2026-W01-1' }), 400, /timestamp must be an RFC 3339/],
      ['invalid JSON', '[', 400, /not valid JSON/],
    ])('POST /alert with %s → problem', async (_name, body, status, detail) => {
      const before = await getJson(`${v1.url}/alert`);
      await expectProblem(await post(`${v1.url}/alert`, body), status, detail);
      expect(await getJson(`${v1.url}/alert`)).toEqual(before);
    });

    it('GET /analysis/:section with a bad section → 400', async () => {
      await expectProblem(await fetch(`${v1.url}/analysis/a%20b`), 400, /section must be a section id/);
    });
  });

  it('counts pushes and camera actions in /metrics', async () => {
    const text = await (await fetch(`${v1.url}/metrics`)).text();
    expect(text).toMatch(/cpanel_pushes_total\{kind="analysis",outcome="latest",service="cpanel",version="v1"\} \d+/);
    expect(text).toMatch(/cpanel_pushes_total\{kind="analysis",outcome="late",service="cpanel",version="v1"\} 1/);
    expect(text).toMatch(
      /cpanel_camera_actions_total\{action="reload",outcome="invalid",service="cpanel",version="v1"\} 4/,
    );
  });
});
