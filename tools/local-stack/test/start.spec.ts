/**
 * `npm start` as a user runs it, after its build step: `tools/scripts/start.sh` ends in
 * `node tools/local-stack/dist/cli.js --no-build`, which this starts (ports moved by +13000, a fresh
 * data folder). It must bring every service up, print where everything is and how to sign in, answer
 * with the seeds' status lines, and stop every process on Ctrl-C (SIGINT) with exit status 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SERVICES, REPO_ROOT } from '../src/index.js';

const OFFSET = 13_000;
const port = (name: string) => DEFAULT_SERVICES.find((s) => s.name === name)!.port + OFFSET;

describe('npm start (the local stack CLI)', () => {
  it('starts every service, prints the table and the sign-in, serves the status lines, and stops on SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npm-start-'));
    const cli = spawn(
      process.execPath,
      [
        join(REPO_ROOT, 'tools/local-stack/dist/cli.js'),
        '--no-build',
        '--data-dir',
        dir,
        '--port-offset',
        String(OFFSET),
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    cli.stdout.on('data', (c: Buffer) => (out += c.toString()));
    cli.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((done) => cli.once('exit', (code) => done(code)));
    try {
      const deadline = Date.now() + 150_000;
      while (!out.includes('airport-mesh is running') && Date.now() < deadline && cli.exitCode === null)
        await new Promise((r) => setTimeout(r, 200));
      expect({ running: out.includes('airport-mesh is running'), out: out.slice(-3000) }).toMatchObject({
        running: true,
      });
      for (const s of DEFAULT_SERVICES) {
        expect(out).toMatch(new RegExp(`  ${s.name} +ready in \\d+\\.\\d s`));
        expect(out).toContain(
          `http://127.0.0.1:${s.port + OFFSET}   Swagger UI http://127.0.0.1:${s.port + OFFSET}/docs`,
        );
      }
      expect(out).toMatch(/every service ready after \d+\.\d s/);
      expect(out).toMatch(/Operator token \(camera control, watch list, face images\): \S{16,}/);
      expect(out).toContain(
        `Dashboard: http://localhost:${port('cpanel')} (v1), http://localhost:${port('cpanel-v2')} (v2)`,
      );
      const status = async (name: string) => (await fetch(`http://127.0.0.1:${port(name)}/status`)).text();
      expect(await status('collector')).toBe('Collector v1 : Online');
      expect(await status('cpanel-v2')).toBe('CPanel v2 : Online');
      expect((await fetch(`http://127.0.0.1:${port('section-1')}/docs`)).status).toBe(200);
    } finally {
      cli.kill('SIGINT');
      expect(await exited).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
    expect(out).toContain('stopping the stack…');
    // Nothing is left listening.
    await expect(fetch(`http://127.0.0.1:${port('collector')}/status`)).rejects.toThrow();
  }, 240_000);
});
