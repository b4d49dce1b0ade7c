/**
 * `/summary` at 10 rows and at 1,000,000 rows (docs/security.md): the same store code as the service
 * (StatisticsRepository on a real SQLite file), rows bulk-loaded by SQL and the aggregates rebuilt by
 * the repository, then the summary timed all-time and over the last hour. For contrast, the full-scan
 * query the service used before the aggregates. Run: `node apps/section/dist/bench/summary-bench.js [rows…]`.
 */
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '@airport-mesh/platform';
import { StatisticsRepository } from '../statistics/statistics.repository.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const ROWS = sizes.length ? sizes : [10, 1_000_000];
const REPS = 200;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn: () => unknown, reps: number): number {
  const samples: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return median(samples);
}

console.log(`summary bench on ${cpus()[0]?.model ?? 'unknown CPU'} (${cpus().length} cores), node ${process.version}`);
console.log('rows        all-time µs   last-hour µs   full-scan (before) µs');
for (const n of ROWS) {
  const dir = mkdtempSync(join(tmpdir(), 'summary-bench-'));
  try {
    const path = join(dir, 'section.db');
    new StatisticsRepository(path).onApplicationShutdown(); // the schema
    const db = openDatabase(path);
    const now = Date.now();
    // 2 frames per second up to now; every 3rd unanalysed; 2 faces each.
    db.exec('BEGIN');
    db.prepare(
      `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
       INSERT INTO statistics (frame_id, camera_id, section, event, taken_at, person_count, faces, stored_at)
       SELECT '1:' || i, '1', '1', CASE WHEN i % 2 = 0 THEN 'entry' ELSE 'exit' END,
              strftime('%Y-%m-%dT%H:%M:%fZ', (? - i * 500) / 1000.0, 'unixepoch'),
              CASE WHEN i % 3 = 0 THEN NULL ELSE 2 END,
              '[{"gender":"male","age":41.5},{"gender":"female","age":23}]',
              strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         FROM seq`,
    ).run(n, now);
    db.exec('COMMIT');
    db.close();
    const repo = new StatisticsRepository(path);
    repo.rebuildAggregates();
    const since = new Date(now - 3600_000);
    const all = time(() => repo.summary('1', null), REPS);
    const hour = time(() => repo.summary('1', since), REPS);
    const scanDb = openDatabase(path);
    const scan = scanDb.prepare(
      `SELECT count(*), count(person_count), sum(CASE WHEN event = 'entry' THEN person_count END), max(taken_at),
              (SELECT count(*) FROM statistics s, json_each(s.faces) f WHERE s.taken_at >= ?)
         FROM statistics WHERE taken_at >= ?`,
    );
    const full = time(() => scan.all('', ''), n > 100_000 ? 3 : REPS);
    scanDb.close();
    const check = repo.summary('1', null);
    if (check.frames !== n) throw new Error(`expected ${n} frames, summary says ${check.frames}`);
    repo.onApplicationShutdown();
    console.log(
      `${String(n).padEnd(11)} ${all.toFixed(1).padStart(11)} ${hour.toFixed(1).padStart(14)} ${full.toFixed(1).padStart(23)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
