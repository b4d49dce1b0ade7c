/**
 * The whole airport, end to end, as real processes with real inference: three cameras stream the
 * sample photos, the seeded persons of interest raise alerts, and every counter agrees — also when
 * section-1 and then alerts are SIGKILLed and restarted mid-run. The cameras re-send a frame that was
 * not acknowledged (CAMERA_RETRIES=10: about 13 s of backoff, more than a restart takes on a busy
 * machine), which is what makes delivery at-least-once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SERVICES, LocalStack, withPortOffset } from '../src/index.js';

interface Counters {
  sent: number;
  acknowledged: number;
  failed: number;
  retries: number;
  duplicates: number;
}
interface Alert {
  frameId: string;
  name: string;
  cameraId: string;
  section: string;
}

const CAMERAS = ['camera-agent-1', 'camera-agent-2', 'camera-agent-3'];
const FRAMES = 12; // two cycles of the six sample photos
const services = withPortOffset(
  DEFAULT_SERVICES.filter((s) => !s.name.startsWith('cpanel')).map((s) =>
    s.app === 'camera-agent' ? { ...s, env: { ...s.env, CAMERA_RETRIES: '10' } } : s,
  ),
  16_000, // distinct from every other whole-stack test, and below the kernel's ephemeral ports (32768+)
);

describe('the airport end to end', () => {
  let dir: string;
  let stack: LocalStack;
  const get = async <T>(name: string, path: string): Promise<T> =>
    (await fetch(`${stack.url(name)}${path}`)).json() as Promise<T>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'airport-'));
    stack = new LocalStack({ services, dataDir: dir, env: { LOG_LEVEL: 'warn' } });
    await stack.start();
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`streams ${FRAMES} frames per camera through SIGKILLs of section-1 and alerts; nothing lost, nothing twice`, async () => {
    for (const camera of CAMERAS) {
      const res = await fetch(`${stack.url(camera)}/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...stack.operatorHeaders },
        body: JSON.stringify({ fps: 2, maxFrames: FRAMES }),
      });
      expect(res.status).toBe(200);
    }
    await sleep(1500);
    await stack.kill('section-1', 'SIGKILL');
    await stack.revive('section-1');
    await sleep(1000);
    await stack.kill('alerts', 'SIGKILL');
    await stack.revive('alerts');
    for (let i = 0; i < 600; i++) {
      const states = await Promise.all(CAMERAS.map((c) => get<{ streaming: boolean }>(c, '/state')));
      if (states.every((s) => !s.streaming)) break;
      await sleep(100);
    }

    // Cameras: every frame acknowledged, the outages visible as retries.
    const counters = await Promise.all(CAMERAS.map((c) => get<Counters>(c, '/counters')));
    for (const c of counters) expect(c).toMatchObject({ sent: FRAMES, acknowledged: FRAMES, failed: 0 });
    expect(counters.reduce((n, c) => n + c.retries, 0)).toBeGreaterThan(0);

    // Sections: each frame stored exactly once, in its camera's section.
    const stored = async (section: string) =>
      (await get<{ items: { frameId: string; cameraId: string }[] }>(section, '/statistics?limit=1000')).items;
    const s1 = await stored('section-1');
    const s2 = await stored('section-2');
    expect(s1.length).toBe(2 * FRAMES);
    expect(new Set(s1.map((r) => r.frameId)).size).toBe(2 * FRAMES);
    expect(s2.length).toBe(FRAMES);
    expect(new Set(s2.map((r) => r.cameraId))).toEqual(new Set(['3']));

    // Alerts: the seeded persons, once per frame that shows them (sample1: PersonX, sample4: PersonY).
    const alerts = (await get<{ items: Alert[]; total: number }>('alerts', '/alerts?limit=1000')).items;
    const perCamera = (sampleIndex: number) =>
      Array.from({ length: FRAMES }, (_, i) => i).filter((i) => i % 6 === sampleIndex).length;
    expect(alerts.filter((a) => a.name === 'PersonX').length).toBe(3 * perCamera(0));
    expect(alerts.filter((a) => a.name === 'PersonY').length).toBe(3 * perCamera(3));
    expect(new Set(alerts.map((a) => `${a.frameId}|${a.name}`)).size).toBe(alerts.length);
    for (const a of alerts) expect([...s1, ...s2].map((r) => r.frameId)).toContain(a.frameId);

    // The collector's books: one acknowledgement per frame; the failed attempts are the cameras' retries.
    const metrics = await (await fetch(`${stack.url('collector')}/metrics`)).text();
    const value = (re: RegExp) => [...metrics.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
    expect(value(/^collector_frames_acknowledged_total\{[^}]*\} (\d+)$/gm)).toBe(3 * FRAMES);
    expect(value(/^collector_frames_failed_total\{[^}]*\} (\d+)$/gm)).toBe(counters.reduce((n, c) => n + c.retries, 0));
  });
});
