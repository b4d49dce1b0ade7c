import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestProcess } from '@airport-mesh/platform/testing';

const main = join(import.meta.dirname, '../dist/main.js');

describe('alerts process', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'alerts-proc-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start with an invalid webhook configuration, naming the variable', async () => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, ALERT_WEBHOOK_URL: 'not a url', ALERT_WEBHOOK_TIMEOUT_MS: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).toBe(78);
    expect(stderr).toMatch(/ALERT_WEBHOOK_URL="not a url": ALERT_WEBHOOK_URL must be an http\(s\) URL/);
    expect(stderr).toMatch(/ALERT_WEBHOOK_TIMEOUT_MS=0: ALERT_WEBHOOK_TIMEOUT_MS must not be less than 1/);
  });

  it('keeps every acknowledged alert across SIGKILL, and still deduplicates after the restart', async () => {
    const db = join(dir, 'alerts.db');
    let alerts = await startTestProcess(main, 18_384, { DB_PATH: db });
    const body = (seq: number) => ({
      frameId: `9:${seq}`,
      cameraId: '9',
      section: '2',
      event: 'entry',
      timestamp: new Date().toISOString(),
      personId: 'p-1',
      name: 'PersonX',
      similarity: 0.8,
    });
    const post = (seq: number) =>
      fetch(`${alerts.url}/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body(seq)),
      });
    for (let seq = 1; seq <= 20; seq += 1) expect((await post(seq)).status).toBe(201);
    await alerts.kill('SIGKILL');
    alerts = await startTestProcess(main, 18_384, { DB_PATH: db });
    try {
      expect(((await (await fetch(`${alerts.url}/alerts?limit=100`)).json()) as { total: number }).total).toBe(20);
      expect((await post(20)).status).toBe(200);
      expect(await (await fetch(`${alerts.url}/status`)).text()).toBe('Alerts v1 : Online');
    } finally {
      await alerts.kill();
    }
  });
});
