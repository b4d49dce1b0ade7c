/**
 * A real Prometheus server (Debian's package) scrapes every service's /metrics: the exposition is
 * valid, every target is up, and the per-route request metrics and the apps' own counters arrive.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SERVICES, LocalStack, withPortOffset } from '../src/index.js';

const PROMETHEUS = '/usr/bin/prometheus';
const services = withPortOffset(
  DEFAULT_SERVICES.filter((s) => ['section-1', 'section-2', 'collector', 'camera-agent-1'].includes(s.name)),
  15_000,
); // +23000 is the lab test
const PROM_PORT = 29_090;

interface Vector {
  metric: Record<string, string>;
  value: [number, string];
}

describe('Prometheus scraping the services', () => {
  let dir: string;
  let stack: LocalStack;
  let prometheus: ChildProcess;
  const query = async (q: string): Promise<Vector[]> => {
    const res = await fetch(`http://127.0.0.1:${PROM_PORT}/api/v1/query?query=${encodeURIComponent(q)}`);
    return ((await res.json()) as { data: { result: Vector[] } }).data.result;
  };

  beforeAll(async () => {
    if (!existsSync(PROMETHEUS)) throw new Error(`${PROMETHEUS} is missing: run tools/scripts/install-system-deps.sh`);
    dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
    stack = new LocalStack({ services, dataDir: dir, env: { LOG_LEVEL: 'warn' } });
    await stack.start();
    const targets = services.map((s) => `'127.0.0.1:${s.port}'`).join(', ');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: airport-mesh\n    static_configs:\n      - targets: [${targets}]\n`,
    );
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${PROM_PORT}`,
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds every target up and stores the request and frame metrics', async () => {
    await fetch(`${stack.url('camera-agent-1')}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stack.operatorHeaders },
      body: '{"fps":5,"maxFrames":5}',
    });
    let up: Vector[] = [];
    for (let i = 0; i < 60; i++) {
      await sleep(500);
      up = await query('up').catch(() => []);
      if (up.length === services.length && up.every((v) => v.value[1] === '1')) break;
    }
    expect(up.map((v) => v.metric.instance).sort()).toEqual(services.map((s) => `127.0.0.1:${s.port}`).sort());
    expect(up.every((v) => v.value[1] === '1')).toBe(true);
    await sleep(2500); // the frames are acknowledged and scraped again
    const stored = await query(
      'sum by (service) (http_server_requests_total{route="/statistics",method="POST",status_code="201"})',
    );
    expect(stored).toEqual([
      expect.objectContaining({ metric: { service: 'section-1' }, value: [expect.any(Number), '5'] }),
    ]);
    const acknowledged = await query('collector_frames_acknowledged_total');
    expect(acknowledged[0]?.value[1]).toBe('5');
    const latency = await query(
      'histogram_quantile(0.99, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="collector"}[1m])))',
    );
    expect(Number(latency[0]?.value[1])).toBeGreaterThan(0);
  });
});
