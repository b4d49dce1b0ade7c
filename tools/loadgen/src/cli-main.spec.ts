import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, parseCli, runCli } from './cli-main.js';

const required = ['--url', 'http://127.0.0.1:8080/status', '--rate', '50', '--duration', '10s'];

describe('parseCli', () => {
  it('turns the flags into load options', async () => {
    const plan = await parseCli([
      ...required,
      '--method',
      'post',
      '--header',
      'X-Seq: 1',
      '--header',
      'authorization: Bearer a:b',
      '--timeout',
      '500ms',
      '--max-in-flight',
      '8',
      '--overflow',
      'queue',
      '--drain',
      '1s',
      '--late-threshold',
      '5ms',
      '--max-requests',
      '100',
      '--body',
      '{}',
      '--json',
      'out.json',
    ]);
    expect(plan).toEqual({
      json: 'out.json',
      options: {
        url: 'http://127.0.0.1:8080/status',
        rate: 50,
        durationMs: 10_000,
        method: 'post',
        headers: { 'x-seq': '1', authorization: 'Bearer a:b' },
        body: '{}',
        timeoutMs: 500,
        maxInFlight: 8,
        overflow: 'queue',
        drainMs: 1_000,
        lateThresholdMs: 5,
        maxRequests: 100,
        allowRemote: false,
        checkReachable: true,
      },
    });
  });

  it('reads --body-file, and sends a .json file as JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loadgen-'));
    const file = join(dir, 'frame.json');
    await writeFile(file, '{"seq":1}');
    const plan = await parseCli([...required, '--method', 'POST', '--body-file', file]);
    expect(Buffer.from(plan!.options.body as Uint8Array).toString()).toBe('{"seq":1}');
    expect(plan!.options.headers).toEqual({ 'content-type': 'application/json' });
  });

  it('returns nothing for --help', async () => {
    expect(await parseCli(['--help'])).toBeUndefined();
    expect(await parseCli(['-h'])).toBeUndefined();
  });

  it.each([
    [[...required, '--bogus'], 'unknown option --bogus'],
    [[...required, '--rate'], 'option --rate needs a value'],
    [[...required, 'extra'], 'unexpected argument extra'],
    [['--rate', '50', '--duration', '1s'], 'missing --url'],
    [[], 'missing --url, --rate, --duration'],
    [['--url', 'http://127.0.0.1:1/', '--rate', 'fast', '--duration', '1s'], "bad rate 'fast'"],
    [['--url', 'http://127.0.0.1:1/', '--rate', '0', '--duration', '1s'], 'bad rate 0'],
    [['--url', 'http://127.0.0.1:1/', '--rate', '50', '--duration', '10'], "bad --duration '10'"],
    [['--url', 'http://127.0.0.1:1/', '--rate', '50', '--duration', '2h'], 'bad duration 7200000'],
    [['--url', 'http://127.0.0.1:1/', '--rate', '0.5', '--duration', '1s'], 'schedules no request'],
    [['--url', 'localhost:8080', '--rate', '50', '--duration', '1s'], 'only http: and https: are supported'],
    [['--url', '://nope', '--rate', '50', '--duration', '1s'], "bad URL '://nope'"],
    [['--url', 'http://10.1.2.3/', '--rate', '50', '--duration', '1s'], 'not a loopback address'],
    [[...required, '--timeout', 'soon'], "bad --timeout 'soon'"],
    [[...required, '--max-in-flight', '0'], "bad --max-in-flight '0'"],
    [[...required, '--max-in-flight', '2.5'], "bad --max-in-flight '2.5'"],
    [[...required, '--overflow', 'wait'], "bad --overflow 'wait'"],
    [[...required, '--header', 'no-colon'], "bad --header 'no-colon'"],
    [[...required, '--body', 'a', '--body-file', 'b'], 'give --body or --body-file, not both'],
    [
      [...required, '--body-file', '/nonexistent/frame.json'],
      'cannot read --body-file /nonexistent/frame.json: ENOENT',
    ],
  ])('%p → %s', async (argv, message) => {
    const parsed = parseCli(argv);
    await expect(parsed).rejects.toThrow(UsageError);
    await expect(parsed).rejects.toThrow(message);
  });

  it('lets --allow-remote through, as an explicit choice', async () => {
    const plan = await parseCli(['--url', 'http://10.1.2.3/', '--rate', '50', '--duration', '1s', '--allow-remote']);
    expect(plan!.options.allowRemote).toBe(true);
  });
});

describe('runCli', () => {
  it('exits 2 with the message and a pointer to --help for bad usage', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli([...required, '--nope'], { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('')).toBe('loadgen: unknown option --nope\nRun with --help for usage.\n');
  });

  it('prints the usage for --help and exits 0', async () => {
    const out: string[] = [];
    expect(await runCli(['--help'], { stdout: (t) => out.push(t), stderr: () => undefined })).toBe(0);
    expect(out.join('')).toContain('Usage: node tools/loadgen/dist/cli.js --url URL --rate R --duration D');
  });
});
