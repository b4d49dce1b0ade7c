/**
 * AUTH=app end to end: a camera signs its frames, the collector signs its statistics, the section
 * checks them; camera control needs the operator (or cpanel's token); a request cannot send frames to
 * a new host, port or path (SSRF), and /counters never echoes what a destination answered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentialEnv, newSystemCredentials, signCallerToken } from '@airport-mesh/platform/keys';
import { startTestProcess, startTestService, type TestProcess, type TestService } from '@airport-mesh/platform/testing';
import { cameraAgentService } from '../src/service.js';

const apps = join(import.meta.dirname, '../..');
const creds = newSystemCredentials();
const operator = { authorization: `Bearer ${creds.operatorToken}` };

describe('camera agent with AUTH=app', () => {
  let dir: string;
  let section: TestProcess;
  let collector: TestProcess;
  let camera: TestService;
  const stream = (body: unknown, headers: Record<string, string> = operator) =>
    fetch(`${camera.url}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const stored = async () =>
    ((await (await fetch(`${section.url}/statistics?limit=1`)).json()) as { total: number }).total;
  const state = async () => (await (await fetch(`${camera.url}/state`)).json()) as { streaming: boolean };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'camera-sec-'));
    section = await startTestProcess(join(apps, 'section/dist/main.js'), 18_295, {
      ...credentialEnv(creds, 'section'),
      SECTION_ID: '1',
      DB_PATH: join(dir, 's1.db'),
    });
    collector = await startTestProcess(join(apps, 'collector/dist/main.js'), 18_296, {
      ...credentialEnv(creds, 'collector'),
      SECTION_URLS: `1=${section.url}`,
    });
    camera = await startTestService(cameraAgentService, {
      ...credentialEnv(creds, 'camera-agent'),
      CAMERA_ID: '6',
      CAMERA_SECTION: '1',
      COLLECTOR_URL: collector.url,
      // Allow-listed, but not a collector: its 404 carries a detail that must not come back.
      CAMERA_DESTINATIONS: `${section.url}/not-a-collector`,
    });
  }, 60_000);
  afterAll(async () => {
    await camera?.close();
    await collector?.kill();
    await section?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses camera control without the operator credential (401), and starts nothing', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }] as Record<string, string>[]) {
      const res = await stream({ maxFrames: 1 }, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await fetch(`${camera.url}/stream`, { method: 'DELETE' })).status).toBe(401);
    expect((await state()).streaming).toBe(false);
  });

  it.each([
    ["the issue's example: the section's statistics path", 'http://127.0.0.1:18295/statistics?x='],
    ['another port on the host', 'http://127.0.0.1:22'],
    ['a metadata address', 'http://169.254.169.254/latest/meta-data'],
    ['the collector with a query', `http://127.0.0.1:18296?x=1`],
    ['the collector with credentials', 'http://user:pw@127.0.0.1:18296'],
    ['a file URL', 'file:///etc/passwd'],
  ])('refuses a destination not in its configuration: %s (400, nothing sent)', async (_name, destination) => {
    const before = await stored();
    const res = await stream({ destination, maxFrames: 1 });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    await sleep(200);
    expect((await state()).streaming).toBe(false);
    expect(await stored()).toBe(before);
  });

  it('streams signed frames through a signing collector into the section (the whole chain checked)', async () => {
    const before = await stored();
    const res = await stream({ fps: 10, maxFrames: 3 });
    expect(res.status).toBe(200);
    for (let i = 0; i < 100 && (await stored()) < before + 3; i++) await sleep(100);
    expect(await stored()).toBe(before + 3);
  });

  it('a frame forged with a key nobody configured is refused by the collector and stores nothing', async () => {
    const forger = newSystemCredentials();
    const before = await stored();
    const res = await fetch(`${collector.url}/frames`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await signCallerToken(forger.keys['camera-agent'].privateKey, 'x', 'POST', '/frames')}`,
      },
      body: JSON.stringify({
        cameraId: '6',
        section: '1',
        event: 'exit',
        timestamp: new Date().toISOString(),
        seq: 1,
        image: '',
      }),
    });
    expect(res.status).toBe(401);
    expect(await stored()).toBe(before);
  });

  it('cpanel may stop it with its own signed token', async () => {
    const token = await signCallerToken(creds.keys.cpanel.privateKey, 'cpanel', 'DELETE', '/stream');
    const res = await fetch(`${camera.url}/stream`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
  });

  it('GET /counters names the status of a failed delivery, never the body the destination answered', async () => {
    const res = await stream({ destination: `${section.url}/not-a-collector`, maxFrames: 1 });
    expect(res.status).toBe(200);
    let counters: { lastError: string | null; failed: number } = { lastError: null, failed: 0 };
    for (let i = 0; i < 50 && !counters.lastError; i++) {
      await sleep(100);
      counters = (await (await fetch(`${camera.url}/counters`)).json()) as typeof counters;
    }
    expect(counters.lastError).toMatch(/^6:\d+: HTTP 404$/);
  });
});
