// The built CLI (dist/cli.js, built by the test target's dependency on build) as a real process:
// its exit status, its output and its JSON result against the known server.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult } from '../src/index.js';
import { KnownServer } from './support/known-server.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let server: KnownServer;

beforeAll(async () => {
  if (!existsSync(cli))
    throw new Error(`${cli} is missing: build first (npx nx build loadgen; nx test loadgen does it)`);
  server = await KnownServer.start();
});

afterAll(async () => {
  await server?.stop();
});

it('runs a load, prints the summary and writes the JSON result', async () => {
  await server.reset();
  const dir = await mkdtemp(join(tmpdir(), 'loadgen-cli-'));
  const json = join(dir, 'out.json');
  const r = await run([
    '--url',
    server.url('delay=20'),
    '--rate',
    '50',
    '--duration',
    '1s',
    '--timeout',
    '1s',
    '--json',
    json,
  ]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const result = JSON.parse(await readFile(json, 'utf8')) as LoadResult;
  const seen = await server.stats();
  expect(result.schema).toBe('airport-mesh.loadgen.result/v1');
  expect(result.requests).toMatchObject({ intended: 50, sent: 50, responses: 50, errors: 0, dropped: 0 });
  expect(seen.count).toBe(result.requests.responses);
  expect(result.latencyMs.p50).toBeGreaterThanOrEqual(20);
  expect(r.stdout).toContain(`loadgen GET ${server.url('delay=20')} at 50/s for 1s`);
  expect(r.stdout).toMatch(/requests {3}50 intended, 50 sent, 0 dropped/);
  expect(r.stdout).toContain('responses  50 (200: 50); errors 0');
  expect(r.stdout).toMatch(/latency ms \(from intended start\) p50 2\d\.\d\d/);
});

it('writes the JSON to stdout with --json -, and the summary to stderr', async () => {
  const r = await run(['--url', server.url(), '--rate', '20', '--duration', '250ms', '--json', '-']);
  expect(r.code).toBe(0);
  expect((JSON.parse(r.stdout) as LoadResult).requests.responses).toBe(5);
  expect(r.stderr).toContain('responses  5 (200: 5)');
});

it.each([
  [
    ['--url', 'http://127.0.0.1:1/', '--rate', '5', '--duration', '1s', '--frobnicate'],
    'loadgen: unknown option --frobnicate',
  ],
  [['--url', 'http://127.0.0.1:1/', '--rate', 'lots', '--duration', '1s'], "loadgen: bad rate 'lots'"],
  [['--url', 'http://127.0.0.1:1/', '--rate', '5', '--duration', 'forever'], "loadgen: bad --duration 'forever'"],
  [['--url', 'nowhere', '--rate', '5', '--duration', '1s'], "loadgen: bad URL 'nowhere'"],
  [['--url', 'http://203.0.113.9/', '--rate', '5', '--duration', '1s'], 'loadgen: refusing to load 203.0.113.9'],
  [['--rate', '5'], 'loadgen: missing --url, --duration'],
])('exits 2 on bad usage: %p', async (args, message) => {
  const r = await run(args);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain(message);
  expect(r.stderr).toContain('Run with --help for usage.');
});

it('exits 1 with a clear message when the target is unreachable', async () => {
  const r = await run(['--url', 'http://127.0.0.1:1/status', '--rate', '5', '--duration', '1s']);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(
    'loadgen: target http://127.0.0.1:1 is unreachable: connection refused (is the server running?)\n',
  );
});

it('prints the usage with --help and exits 0', async () => {
  const r = await run(['--help']);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('--max-in-flight N');
});
