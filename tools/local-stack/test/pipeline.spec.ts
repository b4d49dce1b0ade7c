/**
 * The whole stack as real processes (the same runner as `npm start`), with real frames end to end.
 * Ports are moved by +20000 so a developer's running stack is not disturbed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { signCallerToken } from '@airport-mesh/platform/keys';
import { DEFAULT_SERVICES, LocalStack, withPortOffset } from '../src/index.js';

interface Counters {
  sent: number;
  acknowledged: number;
  failed: number;
  retries: number;
  duplicates: number;
  firstFrameId: string | null;
}
interface Page {
  total: number;
  items: { frameId: string; cameraId: string }[];
}

const services = withPortOffset(DEFAULT_SERVICES, 20_000);
const sample = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo/sample2.jpg'),
);

describe('local stack: camera-agent → collector → section', () => {
  let dir: string;
  let stack: LocalStack;
  const get = async <T>(name: string, path: string): Promise<T> =>
    (await fetch(`${stack.url(name)}${path}`)).json() as Promise<T>;
  const post = (name: string, path: string, body: unknown) =>
    fetch(`${stack.url(name)}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stack.operatorHeaders },
      body: JSON.stringify(body),
    });

  /** Every stored record of a section, all pages. */
  async function allStored(section: string): Promise<Page['items']> {
    const items: Page['items'] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await get<Page>(section, `/statistics?limit=1000&offset=${offset}`);
      items.push(...page.items);
      if (items.length >= page.total || page.items.length === 0) return items;
    }
  }

  async function streamUntilStopped(camera: string): Promise<void> {
    const t0 = Date.now();
    while ((await get<{ streaming: boolean }>(camera, '/state')).streaming) {
      if (Date.now() - t0 > 30_000) throw new Error(`${camera} still streaming`);
      await sleep(50);
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-stack-'));
    stack = new LocalStack({ services, dataDir: dir, env: { LOG_LEVEL: 'warn' } });
    await stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every service prints its seed status line', async () => {
    const lines = await Promise.all(services.map(async (s) => (await fetch(`${stack.url(s.name)}/status`)).text()));
    expect(lines).toEqual([
      'Section 1 v1 : Online',
      'Section 2 v1 : Online',
      'Image Analysis v1 : Online',
      'Face Recognition v1 : Online',
      'Collector v1 : Online',
      'Camera 1 v1 : Online',
      'Camera 2 v1 : Online',
      'Camera 3 v1 : Online',
      'Alerts v1 : Online',
      'CPanel v1 : Online',
      'CPanel v2 : Online',
    ]);
    expect(await get('camera-agent-1', '/state')).toEqual({
      streaming: false,
      cycle: 0,
      fps: 0,
      section: '1',
      destination: stack.url('collector'),
      event: 'exit',
    });
  });

  it('streams frames from both cameras into section 1; every counter agrees', async () => {
    for (const camera of ['camera-agent-1', 'camera-agent-2']) {
      expect((await post(camera, '/stream', { fps: 8, maxFrames: 12 })).status).toBe(200);
    }
    await Promise.all(['camera-agent-1', 'camera-agent-2'].map(streamUntilStopped));
    const cams = await Promise.all(['camera-agent-1', 'camera-agent-2'].map((c) => get<Counters>(c, '/counters')));
    for (const c of cams) expect(c).toMatchObject({ sent: 12, acknowledged: 12, failed: 0, duplicates: 0 });
    const summary = await get<{
      frames: number;
      section: string;
      analysedFrames: number;
      entries: number;
      exits: number;
      genders: Record<string, number>;
    }>('section-1', '/summary');
    expect(summary).toMatchObject({ section: '1', frames: 24, analysedFrames: 24 });
    // Real inference: the sample photos show 3 to 5 people each, counted at the entry and at the exit.
    expect(summary.entries).toBeGreaterThanOrEqual(12 * 3);
    expect(summary.exits).toBeGreaterThanOrEqual(12 * 3);
    expect(summary.genders.female + summary.genders.male).toBeGreaterThanOrEqual(24 * 3);
    const stored = await allStored('section-1');
    expect(new Set(stored.map((s) => s.cameraId))).toEqual(new Set(['1', '2']));
    expect((await get<Page>('section-2', '/statistics')).total).toBe(0);
    const metrics = await (await fetch(`${stack.url('collector')}/metrics`)).text();
    expect(metrics).toMatch(/collector_frames_acknowledged_total\{service="collector",version="v1"\} 24/);
  });

  it('loses no acknowledged frame when section-1 is SIGKILLed mid-stream, and stores re-sent frames once', async () => {
    const camera = 'camera-agent-1';
    const before = await get<Counters>(camera, '/counters');
    expect((await post(camera, '/stream', { fps: 4 })).status).toBe(200);

    // Beside the camera, this test sends its own frames so it knows exactly which ones were acknowledged.
    const acked = new Set<number>();
    const unacked = new Set<number>();
    let sending = true;
    const frame = (seq: number) => ({
      cameraId: 'e2e',
      section: '1',
      event: 'entry',
      timestamp: new Date().toISOString(),
      seq,
      image: sample.toString('base64'),
    });
    // Signed as a camera (AUTH=app: the collector takes frames only from camera agents).
    const token = await signCallerToken(stack.credentials.keys['camera-agent'].privateKey, 'e2e', 'POST', '/frames');
    const sendFrame = (seq: number) =>
      fetch(`${stack.url('collector')}/frames`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(frame(seq)),
      });
    const sender = (async () => {
      for (let seq = 1; sending; seq += 1) {
        const res = await sendFrame(seq).catch(() => null);
        (res?.status === 201 ? acked : unacked).add(seq);
        await sleep(150);
      }
    })();

    await sleep(1200);
    await stack.kill('section-1', 'SIGKILL');
    await sleep(1500);
    await stack.revive('section-1');
    await sleep(1500);
    sending = false;
    await sender;
    await fetch(`${stack.url(camera)}/stream`, { method: 'DELETE', headers: stack.operatorHeaders });

    // The outage was real: frames were refused while section-1 was down.
    expect(unacked.size).toBeGreaterThan(0);
    expect(acked.size).toBeGreaterThan(5);

    // Every frame the collector acknowledged is in the store.
    const storedIds = new Set((await allStored('section-1')).map((s) => s.frameId));
    for (const seq of acked) expect(storedIds).toContain(`e2e:${seq}`);

    // At-least-once: re-send what was not acknowledged (and some that were); each is stored once.
    for (const seq of [...unacked, ...[...acked].slice(0, 5)]) {
      const res = await sendFrame(seq);
      expect(res.status).toBe(201);
    }
    const e2e = (await allStored('section-1')).filter((s) => s.cameraId === 'e2e').map((s) => s.frameId);
    expect(e2e.length).toBe(acked.size + unacked.size);
    expect(new Set(e2e).size).toBe(e2e.length);

    // The camera's own books balance, and the store has every frame it got acknowledged.
    const after = await get<Counters>(camera, '/counters');
    const sent = after.sent - before.sent;
    const ack = after.acknowledged - before.acknowledged;
    expect(after.failed - before.failed).toBe(sent - ack);
    const firstSeq = Number(after.firstFrameId!.split(':')[1]);
    const cameraIds = new Set(Array.from({ length: sent }, (_, i) => `1:${firstSeq + i}`));
    const storedNow = (await allStored('section-1')).filter((s) => cameraIds.has(s.frameId)).length;
    expect(storedNow).toBeGreaterThanOrEqual(ack);
    expect(storedNow).toBeLessThanOrEqual(sent);
    expect(ack).toBeGreaterThan(5);
  });
});
