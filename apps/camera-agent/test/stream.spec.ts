import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestProcess, startTestService, type TestProcess, type TestService } from '@airport-mesh/platform/testing';
import { cameraAgentService } from '../src/service.js';

const apps = join(import.meta.dirname, '../..');

describe('camera agent streaming real frames to a real collector and section', () => {
  let dir: string;
  let section: TestProcess;
  let collector: TestProcess;
  let camera: TestService;
  const json = async (path: string, init?: RequestInit) => (await fetch(`${camera.url}${path}`, init)).json();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'camera-'));
    section = await startTestProcess(join(apps, 'section/dist/main.js'), 18_285, {
      SECTION_ID: '1',
      DB_PATH: join(dir, 's1.db'),
    });
    collector = await startTestProcess(join(apps, 'collector/dist/main.js'), 18_281, {
      SECTION_URLS: `1=${section.url}`,
    });
    camera = await startTestService(cameraAgentService, {
      CAMERA_ID: '5',
      CAMERA_SECTION: '1',
      CAMERA_EVENT: 'entry',
      COLLECTOR_URL: collector.url,
      CAMERA_RETRIES: '2',
      CAMERA_DESTINATIONS: 'http://127.0.0.1:9', // nothing listens: the unreachable-collector case
    });
  }, 60_000);
  afterAll(async () => {
    await camera?.close();
    await collector?.kill();
    await section?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the seeds state fields while stopped', async () => {
    expect(await json('/state')).toEqual({
      streaming: false,
      cycle: 0,
      fps: 0,
      section: '1',
      destination: collector.url,
      event: 'entry',
    });
  });

  it('streams frames at the set rate until maxFrames, each acknowledged and stored once', async () => {
    const started = await json('/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fps: 10, maxFrames: 8 }),
    });
    expect(started).toMatchObject({
      streaming: true,
      fps: 10,
      section: '1',
      destination: collector.url,
      event: 'entry',
    });
    const t0 = Date.now();
    while ((await json('/state')).streaming && Date.now() - t0 < 10_000) await sleep(50);
    const elapsed = Date.now() - t0;
    expect(await json('/state')).toMatchObject({ streaming: false, cycle: 8, fps: 0 });
    expect(elapsed).toBeGreaterThanOrEqual(600); // 8 frames at 10 fps take at least 7 intervals
    expect(await json('/counters')).toMatchObject({ sent: 8, acknowledged: 8, failed: 0, duplicates: 0 });
    const page = (await (await fetch(`${section.url}/statistics?limit=100`)).json()) as {
      total: number;
      items: { cameraId: string; event: string }[];
    };
    expect(page.total).toBe(8);
    expect(page.items.every((i) => i.cameraId === '5' && i.event === 'entry')).toBe(true);
  });

  it('stops on DELETE /stream', async () => {
    await json('/stream', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"fps":5}' });
    await sleep(300);
    expect(await json('/stream', { method: 'DELETE' })).toMatchObject({ streaming: false, fps: 0 });
    const cycle = (await json('/state')).cycle;
    await sleep(500);
    expect((await json('/state')).cycle).toBe(cycle);
  });

  it('counts frames as failed when the collector is unreachable, and says why', async () => {
    const before = await json('/counters');
    const res = await json('/stream', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fps: 20, maxFrames: 2, destination: 'http://127.0.0.1:9' }),
    });
    expect(res).toMatchObject({ streaming: true, destination: 'http://127.0.0.1:9' });
    const t0 = Date.now();
    while ((await json('/state')).streaming && Date.now() - t0 < 10_000) await sleep(50);
    const counters = await json('/counters');
    expect({
      sent: counters.sent - before.sent,
      acknowledged: counters.acknowledged - before.acknowledged,
      failed: counters.failed - before.failed,
      retries: counters.retries - before.retries,
    }).toEqual({ sent: 2, acknowledged: 0, failed: 2, retries: 4 }); // CAMERA_RETRIES=2: three attempts per frame
    expect(counters.lastError).toMatch(/ECONNREFUSED/);
  });

  it.each([
    ['fps 0', '{"fps":0}', /fps must not be less than 0.1/],
    ['a destination that is not a URL', '{"destination":"collector"}', /destination must be a URL/],
    ['an unknown field', '{"speed":3}', /property speed should not exist/],
    ['invalid JSON', '{"fps":', /not valid JSON/],
  ])('rejects %s with a 400 problem body and keeps its state', async (_name, body, detail) => {
    const res = await fetch(`${camera.url}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
    expect((await json('/state')).streaming).toBe(false);
  });
});
