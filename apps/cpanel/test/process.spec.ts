import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestProcess } from '@airport-mesh/platform/testing';

const main = join(import.meta.dirname, '../dist/main.js');

async function exitOf(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [main], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  return { code, stderr };
}

describe('cpanel process', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cpanel-proc-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start with an invalid cameras file, naming each problem', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ cameras: [{ id: 1, description: 'x', url: 'nope', section: 1, type: 'exit' }] }),
    );
    const bad = await exitOf({ CAMERAS_FILE: file, VERSION: 'v3' });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/refusing to start, invalid environment/);
    expect(bad.stderr).toMatch(
      /CAMERAS_FILE=".*bad\.json": cameras file invalid: cameras\[0\]\.url must be an http\(s\) URL/,
    );
    const missing = await exitOf({ CAMERAS_FILE: join(dir, 'missing.json'), SECTION_URLS: 'one' });
    expect(missing.code).toBe(78);
    expect(missing.stderr).toMatch(/cameras file invalid: cannot be read \(ENOENT\)/);
  }, 60_000);

  it('ends open live streams on SIGTERM and exits promptly', async () => {
    // OTEL_METRICS_EXPORTER=none: the platform's telemetry leaves the OpenTelemetry SDK's default OTLP metric
    // exporter on, whose flush to a collector that is not there holds every exit for ~8 s (reported).
    const cpanel = await startTestProcess(main, 18_880, {
      VERSION: 'v2',
      REFRESH_INTERVAL_MS: '0',
      UPSTREAM_TIMEOUT_MS: '300',
      OTEL_METRICS_EXPORTER: 'none',
    });
    const events = await fetch(`${cpanel.url}/events`);
    expect(events.status).toBe(200);
    const reader = events.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^\s*event: snapshot/);
    const t0 = Date.now();
    await cpanel.kill('SIGTERM');
    expect(Date.now() - t0).toBeLessThan(5000);
    for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) break; // the stream was ended by the server
  }, 60_000);
});
