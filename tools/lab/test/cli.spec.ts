// Bad input to the lab: a clear message, a non-zero exit, and never a folder that looks complete.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@airport-mesh/local-stack';
import { runCli } from '../src/index.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lab-cli-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env: process.env });
  return { code, out: out.join(''), err: err.join('') };
}

describe('lab CLI', () => {
  it.each([
    [
      ['run', '--only', 'sick-sectoin', '--out', 'DIR'],
      "lab: unknown experiment 'sick-sectoin'; known: sick-section, sick-section-50, slow-section, overload, kill-section, canary-50-50, timeout-cpanel, default-routing, cpanel-v2-all, canary-header, mirror-v2, spread-scale-v2-x3-round-robin, spread-random, spread-least-request, blue-green, fault-abort-alerts, fault-delay-analysis, overload-analysis, saturate-analysis, sick-recognition, kill-alerts, sick-collector, timeout-camera-agent, slow-cpanel, outlier-ejection, mtls-plaintext, authz-403, egress-registry, rate-limit-429, flagger-promotion",
    ],
    [['run', '--repeats', '0', '--out', 'DIR'], "lab: bad --repeats '0': an integer > 0 and ≤ 20"],
    [['run', '--repeats', '2.5', '--out', 'DIR'], "lab: bad --repeats '2.5': an integer > 0 and ≤ 20"],
    [['run', '--duration', 'soon', '--out', 'DIR'], "lab: bad --duration 'soon': a number > 0 and ≤ 600"],
    [['run', '--rate', '0', '--out', 'DIR'], "lab: bad --rate '0': a number > 0 and ≤ 200"],
    [['run', '--target', 'minikube', '--out', 'DIR'], "lab: unknown target 'minikube': use local or cluster"],
    [['run', '--only', 'canary-50-50', '--out', 'DIR'], 'lab: none of canary-50-50 runs locally (cluster-only)'],
    [['run', '--port-offset', '99999', '--out', 'DIR'], "lab: bad --port-offset '99999'"],
    [['run', '--frobnicate'], "lab: Unknown option '--frobnicate'"],
    [['explode'], "lab: unknown command 'explode'"],
    [['compare', 'DIR'], 'lab: compare needs two result folders'],
    [['report'], 'lab: report needs one result folder'],
    [['report', 'DIR'], 'no result.json (not a lab result folder)'],
    [
      ['run', '--target', 'cluster', '--ingress-istio', 'not an address', '--yes', '--out', 'DIR'],
      "lab: bad --ingress-istio 'not an address': use host:port",
    ],
  ])('%j → exit 2, %s', async (argv, message) => {
    const r = await cli(...argv.map((a) => (a === 'DIR' ? dir : a)));
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain('Run with --help for usage.');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('compare refuses a folder that is not a lab result', async () => {
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'b', 'result.json'), '{"schema": "something-else"');
    const missing = await cli('compare', join(dir, 'a'), join(dir, 'b'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no result.json (not a lab result folder)');
    writeFileSync(join(dir, 'a', 'result.json'), '{"schema":"airport-mesh.lab.result/v1","runs":[],"modes":[]}');
    const malformed = await cli('compare', join(dir, 'a'), join(dir, 'b'));
    expect(malformed.code).toBe(2);
    expect(malformed.err).toMatch(/result\.json: not valid JSON/);
  });

  it("report writes a result folder's report again; compare --out writes the comparison as Markdown and HTML", async () => {
    for (const side of ['a', 'b']) {
      mkdirSync(join(dir, side));
      copyFileSync(join(REPO_ROOT, 'results/2026-11-21-local/result.json'), join(dir, side, 'result.json'));
    }
    const report = await cli('report', join(dir, 'a'));
    expect(report).toMatchObject({ code: 0, out: `${join(dir, 'a')}/report.html\n` });
    expect(readdirSync(join(dir, 'a'))).toEqual(
      expect.arrayContaining(['report.md', 'report.html', 'timeline-kill-section.svg']),
    );
    expect(readFileSync(join(dir, 'a', 'result.json'), 'utf8')).toBe(
      readFileSync(join(REPO_ROOT, 'results/2026-11-21-local/result.json'), 'utf8'),
    );
    const compared = await cli('compare', join(dir, 'a'), join(dir, 'b'), '--out', join(dir, 'cmp'));
    expect(compared.code).toBe(0);
    expect(readdirSync(join(dir, 'cmp'))).toEqual(expect.arrayContaining(['comparison.md', 'comparison.html']));
    expect(readFileSync(join(dir, 'cmp', 'comparison.md'), 'utf8')).toContain(
      '| sick-section | none | 71.5% | 71.5% | +0.0 pt | no histogram in A | no histogram in B |',
    );
  });

  it('lists every experiment with its bounds per mode, and prints usage', async () => {
    const list = await cli('list');
    expect(list.code).toBe(0);
    expect(list.out).toContain('sick-section: Sick section replica (30% 503) behind retries');
    expect(list.out).toContain(
      '  client: storedRate >= 99.0%; successRate >= 99.0%; ackedNotStored == 0; storeDuplicates == 0',
    );
    expect(list.out).toContain('  local: cluster-only');
    expect((await cli('--help')).out).toContain('usage: airport-mesh-lab <command>');
    expect((await cli()).code).toBe(2);
  });

  it('a local stack that cannot start (its port is taken) is reported, exit 1, INCOMPLETE only', async () => {
    // Something else listens where section-1 would: the lab must not measure a stranger.
    const { createServer } = await import('node:net');
    const blocker = createServer((s) => s.destroy());
    await new Promise<void>((resolve) => blocker.listen(8085 + 33_000, '127.0.0.1', resolve));
    try {
      const r = await cli(
        'run',
        '--only',
        'sick-section',
        '--short',
        '--port-offset',
        '33000',
        '--out',
        dir,
        '--name',
        'blocked',
      );
      expect(r.code).toBe(1);
      expect(r.err).toContain('lab: run failed: the local stack cannot start: port 41085 (section-1) is in use');
      expect(existsSync(join(dir, 'blocked'))).toBe(false);
      expect(existsSync(join(dir, 'blocked-INCOMPLETE', 'report.md'))).toBe(true);
    } finally {
      blocker.close();
    }
  }, 120_000);
});
