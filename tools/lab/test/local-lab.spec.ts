/**
 * The short local lab, for real: `lab run --short` starts its own stacks (the two-service form of the
 * experiments that have one: section-1 + collector, ports +23000) with RESILIENCE=none and then RESILIENCE=client, applies each fault (chaos API, SIGKILL),
 * streams frames at a constant rate and checks every hypothesis. Needs the apps built (the test
 * target depends on ^build). A few seconds of load per experiment; about 2 minutes in all on 2 cores.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type LabResult, type Run } from '../src/index.js';

describe('the short local lab (real stacks, real faults)', () => {
  let dir: string;
  let result: LabResult;
  let code: number;
  let stderr = '';
  const run = (experiment: string, mode: string): Run => {
    const r = result.runs.find((x) => x.experiment === experiment && x.mode === mode);
    if (!r) throw new Error(`no run ${experiment} [${mode}]`);
    return r;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lab-local-'));
    code = await runCli(['run', '--short', '--port-offset', '23000', '--out', dir, '--name', 'ci'], {
      out: () => undefined,
      err: (t) => {
        stderr += t;
      },
      env: process.env,
    });
    result = JSON.parse(readFileSync(join(dir, 'ci', 'result.json'), 'utf8')) as LabResult;
  }, 280_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('completes with every hypothesis held', () => {
    const notHeld = result.runs
      .filter((r) => r.hypothesis && !r.hypothesis.held)
      .map(
        (r) =>
          `${r.experiment} [${r.mode}]: ${JSON.stringify(r.hypothesis!.bounds.filter((b) => !b.held))} ` +
          `statuses ${JSON.stringify(r.load?.status)} errors ${JSON.stringify(r.load?.errors)} send lag p50 ${r.load?.sendLagMs.p50} service p50 ${r.load?.serviceTimeMs.p50}`,
      );
    expect({ status: result.status, error: result.error, notHeld }).toEqual({
      status: 'complete',
      error: undefined,
      notHeld: [],
    });
    expect(code).toBe(0);
    expect(stderr).toContain('sick-section [client]: hypothesis held');
    expect(result.modes).toEqual(['none', 'client']);
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(result.git.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('a sick section replica at 30% errors: none shows the loss, client keeps ≥ 99% stored with no duplicates in the store', () => {
    const none = run('sick-section', 'none');
    const client = run('sick-section', 'client');
    expect(none.metrics.successRate).toBeLessThan(0.85);
    expect(none.frames!.lost).toBeGreaterThan(0);
    expect(client.frames!.stored / client.frames!.sent).toBeGreaterThanOrEqual(0.99);
    for (const r of [none, client]) {
      expect(r.frames).toMatchObject({ ackedNotStored: 0, storeDuplicates: 0 });
      expect(r.frames!.storeRows).toBe(r.frames!.storeDistinct);
    }
    // The faults were real: the sick replica answered 503 to about 30% of what reached it.
    expect(none.dependency!.injectedErrors / none.dependency!.requests).toBeGreaterThan(0.15);
    expect(client.dependency!.requests).toBeGreaterThan(client.frames!.sent); // the retries
    // ... which the collector's own /metrics counted (client_retries_total, read around the load)
    expect(client.work!.retries).toBeGreaterThan(0);
    expect(none.work!.retries).toBe(0);
    for (const r of [none, client]) expect(r.work!.doorShed).toBe(0);
  });

  it('a killed section: frames lost while it is down, none acknowledged and missing, all recovered by re-sending', () => {
    for (const mode of ['none', 'client']) {
      const r = run('kill-section', mode);
      expect(r.events.map((e) => e.what)).toEqual(['SIGKILL section-1', 'section-1 restarted and ready']);
      expect(r.frames).toMatchObject({ ackedNotStored: 0, lostAfterResend: 0, storeDuplicates: 0 });
    }
    expect(run('kill-section', 'none').frames!.lost).toBeGreaterThan(0);
  });

  it('--short runs the two-service form once; the whole-pipeline experiments are left to the full profile, and say so', () => {
    expect(result.repeats).toBe(1);
    expect(result.calibration).toBeUndefined();
    expect(run('sick-section', 'client').parameters!.services).toEqual(['section-1', 'collector']);
    expect(run('fault-abort-alerts', 'client')).toMatchObject({
      status: 'skipped',
      note: expect.stringContaining('full profile'),
    });
    expect(result.summaries!.find((s) => s.experiment === 'sick-section' && s.mode === 'client')).toMatchObject({
      runs: 1,
      held: 1,
      heldInEveryRun: true,
    });
  });

  it('the canary split is cluster-only locally, and says so', () => {
    expect(run('canary-50-50', 'none')).toMatchObject({
      status: 'skipped',
      note: expect.stringContaining('cluster-only'),
    });
  });

  it('writes the report, the charts and nothing half-done', () => {
    expect(readdirSync(dir)).toEqual(['ci']);
    const files = readdirSync(join(dir, 'ci'));
    for (const f of [
      'result.json',
      'report.md',
      'report.html',
      'success-rate.svg',
      'p99.svg',
      'timeline-sick-section.svg',
      'timeline-kill-section.svg',
      'percentiles-sick-section.svg',
    ])
      expect(files).toContain(f);
    const report = readFileSync(join(dir, 'ci', 'report.md'), 'utf8');
    expect(report.split('\n')[0]).toBe('# Resilience lab: local (none vs client)');
    expect(report).toMatch(/\| sick-section \| client \| \d+\.\d% \|/);
  });
});
