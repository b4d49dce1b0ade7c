/**
 * Graceful shutdown of a real process (the section's dist/main.js): a slow-body client never blocks
 * it, a second SIGTERM does not cut the drain short, and a drain that hangs ends by the hard deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const main = join(import.meta.dirname, '../dist/main.js');

async function start(port: number, env: Record<string, string>, dir: string) {
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      AUTH: 'mesh',
      PORT: String(port),
      HOST: '127.0.0.1',
      DB_PATH: join(dir, `${port}.db`),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exit = new Promise<{ code: number | null; at: number }>((done) =>
    child.once('exit', (code) => done({ code, at: Date.now() })),
  );
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, exit };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('not ready');
}

/** Sends the headers and one byte of a 100 kB body, then nothing. */
function slowBody(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        'POST /statistics HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{',
      );
      resolve(socket);
    });
    socket.on('error', () => undefined);
  });
}

describe('shutdown of a real process', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'shutdown-'))));
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a slow-body client does not hold the shutdown: exit 0 within seconds', async () => {
    const { child, exit } = await start(18_471, { REQUEST_TIMEOUT_MS: '2000' }, dir);
    children.push(child);
    const socket = await slowBody(18_471);
    await sleep(200);
    const t0 = Date.now();
    child.kill('SIGTERM');
    const { code, at } = await exit;
    socket.destroy();
    expect(code).toBe(0);
    expect(at - t0).toBeLessThan(6000);
  }, 60_000);

  it('a second SIGTERM does not cut the drain short', async () => {
    const { child, exit } = await start(18_472, { SHUTDOWN_DELAY_MS: '2000' }, dir);
    children.push(child);
    const t0 = Date.now();
    child.kill('SIGTERM');
    await sleep(300);
    child.kill('SIGTERM');
    // Still draining: the server answers, readiness says shutting down.
    const ready = await fetch('http://127.0.0.1:18472/health/ready');
    expect(ready.status).toBe(503);
    const { code, at } = await exit;
    expect(code).toBe(0);
    expect(at - t0).toBeGreaterThanOrEqual(1900);
  }, 60_000);

  it('a drain that hangs ends by the hard deadline (exit 1)', async () => {
    // The held request would keep the drain open for a minute; the deadline is 1 s after the delay.
    const { child, exit } = await start(18_473, { REQUEST_TIMEOUT_MS: '60000', SHUTDOWN_DEADLINE_MS: '1000' }, dir);
    children.push(child);
    const socket = await slowBody(18_473);
    await sleep(200);
    const t0 = Date.now();
    child.kill('SIGTERM');
    const { code, at } = await exit;
    socket.destroy();
    expect(code).toBe(1);
    expect(at - t0).toBeLessThan(5000);
  }, 60_000);
});
