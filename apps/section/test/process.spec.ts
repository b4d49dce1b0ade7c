import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestProcess } from '@airport-mesh/platform/testing';

const main = join(import.meta.dirname, '../dist/main.js');

describe('section process lifecycle', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'section-proc-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start with an invalid environment, naming the variable', async () => {
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, PORT: 'x', SECTION_ID: 'no spaces allowed' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code).toBe(78);
    expect(stderr).toMatch(/refusing to start, invalid environment/);
    expect(stderr).toMatch(/PORT=null: PORT must be an integer/);
    expect(stderr).toMatch(/SECTION_ID="no spaces allowed": SECTION_ID must be a short id/);
  });

  it('on SIGTERM fails readiness first, keeps serving during the delay, then exits 0', async () => {
    const section = await startTestProcess(main, 18_385, {
      SECTION_ID: '1',
      DB_PATH: join(dir, 's.db'),
      SHUTDOWN_DELAY_MS: '1500',
    });
    expect((await fetch(`${section.url}/health/ready`)).status).toBe(200);
    process.kill(section.pid, 'SIGTERM');
    await sleep(300);
    const ready = await fetch(`${section.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'error', error: { shutdown: { status: 'down' } } });
    expect((await fetch(`${section.url}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${section.url}/status`)).text()).toBe('Section 1 v1 : Online');
    const t0 = Date.now();
    await section.kill('SIGTERM'); // already stopping: waits for the exit
    expect(Date.now() - t0).toBeLessThan(3000);
    await expect(fetch(`${section.url}/status`)).rejects.toThrow();
  });
});
