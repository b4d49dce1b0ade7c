/**
 * The incremental aggregates behind /summary agree with a count over the rows themselves, for every
 * window, after inserts in any order (late frames included), duplicates, and a rebuild.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatisticsRepository } from '../src/statistics/statistics.repository.js';
import type { CreateStatisticsDto } from '../src/statistics/statistics.dto.js';

function brute(records: CreateStatisticsDto[], since: Date | null) {
  const rows = records.filter((r) => !since || new Date(r.timestamp) >= since);
  const genders = { male: 0, female: 0, unknown: 0 };
  const ages: Record<string, number> = {};
  let entries = 0;
  let exits = 0;
  for (const r of rows) {
    if (r.event === 'entry') entries += r.personCount ?? 0;
    else exits += r.personCount ?? 0;
    for (const f of r.faces) {
      if (f.gender === 'male' || f.gender === 'female') genders[f.gender] += 1;
      else genders.unknown += 1;
      if (typeof f.age === 'number') {
        const d = Math.min(9, Math.floor(f.age / 10)) * 10;
        const key = d === 90 ? '90+' : `${d}-${d + 9}`;
        ages[key] = (ages[key] ?? 0) + 1;
      }
    }
  }
  const last =
    rows
      .map((r) => new Date(r.timestamp).toISOString())
      .sort()
      .at(-1) ?? null;
  return {
    section: '1',
    frames: rows.length,
    analysedFrames: rows.filter((r) => r.personCount !== undefined).length,
    entries,
    exits,
    occupancy: entries - exits,
    genders,
    ages,
    lastFrameAt: last,
  };
}

describe('summary aggregates', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'summary-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('equal a count over the rows for every window, before and after a rebuild', () => {
    const repo = new StatisticsRepository(join(dir, 's.db'));
    const now = Date.now();
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const records: CreateStatisticsDto[] = [];
    for (let i = 0; i < 400; i++) {
      // Frames over the last 3 hours, in random order (late deliveries included).
      const t = new Date(now - Math.floor(rand() * 3 * 3600_000));
      const faces = Array.from({ length: Math.floor(rand() * 3) }, () => ({
        gender: (['male', 'female', undefined] as const)[Math.floor(rand() * 3)],
        age: rand() < 0.8 ? Math.round(rand() * 1000) / 10 : undefined,
      }));
      const record = {
        frameId: `1:${i}`,
        cameraId: '1',
        section: '1',
        event: rand() < 0.5 ? 'entry' : 'exit',
        timestamp: t.toISOString(),
        personCount: rand() < 0.8 ? faces.length : undefined,
        faces,
      } as CreateStatisticsDto;
      records.push(record);
      expect(repo.insert(record, new Date())).toBe('stored');
    }
    expect(repo.insert(records[0], new Date())).toBe('duplicate'); // a duplicate changes nothing
    const windows = [null, 30, 59, 60, 61, 3599, 3600, 3601, 7200, 10_000, 20_000];
    const check = () => {
      for (const w of windows) {
        const since = w === null ? null : new Date(now - w * 1000);
        expect(repo.summary('1', since)).toEqual(brute(records, since));
      }
    };
    check();
    expect(repo.count()).toBe(400);
    repo.rebuildAggregates();
    check();
    repo.onApplicationShutdown();
  });
});
