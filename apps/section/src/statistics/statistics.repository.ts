import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { canonicalTimestamp, frameFingerprint } from '@airport-mesh/contracts';
import { openDatabase } from '@airport-mesh/platform';
import type { CreateStatisticsDto, StatisticsRecordDto, SummaryDto } from './statistics.dto.js';

/** The columns of one aggregate bucket (docs/security.md: /summary costs the same at any row count). */
const SUMS = ['frames', 'analysed', 'entries', 'exits', 'male', 'female', 'unknown', ...AGE_COLUMNS()] as const;
function AGE_COLUMNS(): string[] {
  return Array.from({ length: 10 }, (_, i) => `a${i}`);
}

interface Bucket {
  frames: number;
  analysed: number;
  entries: number;
  exits: number;
  male: number;
  female: number;
  unknown: number;
  last: string | null;
  [age: `a${number}`]: number;
}

interface Row {
  frame_id: string;
  camera_id: string;
  section: string;
  event: 'entry' | 'exit';
  taken_at: string;
  person_count: number | null;
  faces: string;
  stored_at: string;
  fingerprint: string | null;
}

/** `stored`: first delivery; `duplicate`: the same frame again; `conflict`: another frame under this id. */
export type InsertOutcome = 'stored' | 'duplicate' | 'conflict';

/**
 * The section's durable store: one SQLite file (WAL, synchronous=FULL, so a row is on disk before the
 * insert returns and an acknowledged frame survives SIGKILL). Frame ids are the primary key, which makes
 * a retried delivery a no-op; each row keeps the fingerprint of its frame (contracts' frameFingerprint),
 * so a different frame under a stored id is told apart from a retry.
 */
@Injectable()
export class StatisticsRepository implements OnApplicationShutdown {
  private readonly db: DatabaseSync;
  private readonly insertStmt: StatementSync;
  private readonly pageStmt: StatementSync;
  private readonly fingerprintStmt: StatementSync;
  private readonly bucketStmt: StatementSync;
  private readonly rangeStmt: StatementSync;
  private readonly rawStmt: StatementSync;

  constructor(readonly path: string) {
    this.db = openDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS statistics (
        frame_id     TEXT PRIMARY KEY,
        camera_id    TEXT NOT NULL,
        section      TEXT NOT NULL,
        event        TEXT NOT NULL CHECK (event IN ('entry', 'exit')),
        taken_at     TEXT NOT NULL,
        person_count INTEGER,
        faces        TEXT NOT NULL,
        stored_at    TEXT NOT NULL,
        fingerprint  TEXT
      ) STRICT;
      CREATE INDEX IF NOT EXISTS statistics_taken_at ON statistics (taken_at);
      -- Incremental aggregates, kept in the insert's transaction: level 'all' (one row), 'h' per hour
      -- and 'm' per minute of taken_at. A summary reads at most one row, or the buckets of its window
      -- and one minute of rows, however many rows are stored.
      CREATE TABLE IF NOT EXISTS summary_buckets (
        level   TEXT NOT NULL,
        key     TEXT NOT NULL,
        ${SUMS.map((c) => `${c} INTEGER NOT NULL DEFAULT 0`).join(',\n        ')},
        last    TEXT,
        PRIMARY KEY (level, key)
      ) STRICT, WITHOUT ROWID;
    `);
    const columns = this.db.prepare('PRAGMA table_info(statistics)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'fingerprint'))
      this.db.exec('ALTER TABLE statistics ADD COLUMN fingerprint TEXT'); // a store from before fingerprints
    this.bucketStmt = this.db.prepare(
      `INSERT INTO summary_buckets (level, key, ${SUMS.join(', ')}, last)
       VALUES (?, ?, ${SUMS.map(() => '?').join(', ')}, ?)
       ON CONFLICT (level, key) DO UPDATE SET
         ${SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
         last = CASE WHEN last IS NULL OR excluded.last > last THEN excluded.last ELSE last END`,
    );
    this.rangeStmt = this.db.prepare(
      `SELECT ${SUMS.map((c) => `coalesce(sum(${c}), 0) AS ${c}`).join(', ')}, max(last) AS last
         FROM summary_buckets WHERE level = ? AND key >= ? AND key < ?`,
    );
    this.rawStmt = this.db.prepare(
      `SELECT taken_at, event, person_count, faces FROM statistics WHERE taken_at >= ? AND taken_at < ?`,
    );
    const empty =
      (this.db.prepare(`SELECT count(*) AS n FROM summary_buckets WHERE level = 'all'`).get() as { n: number }).n === 0;
    if (empty) this.rebuildAggregates();
    this.insertStmt = this.db.prepare(
      `INSERT INTO statistics (frame_id, camera_id, section, event, taken_at, person_count, faces, stored_at, fingerprint)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (frame_id) DO NOTHING`,
    );
    this.fingerprintStmt = this.db.prepare('SELECT fingerprint FROM statistics WHERE frame_id = ?');
    this.pageStmt = this.db.prepare('SELECT * FROM statistics ORDER BY taken_at DESC, frame_id DESC LIMIT ? OFFSET ?');
  }

  /**
   * Stores the record unless its frame id is stored already; then tells a retry (same content) from
   * another frame under the same id. Row and aggregates are written in one transaction.
   */
  insert(record: CreateStatisticsDto, storedAt: Date): InsertOutcome {
    const faces = record.faces.map(({ gender, age, ageRange }) => ({ gender, age, ageRange }));
    const facesJson = JSON.stringify(faces);
    const fingerprint = frameFingerprint(record, [record.personCount ?? null, facesJson]);
    const takenAt = canonicalTimestamp(record.timestamp);
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = this.insertStmt.run(
        record.frameId,
        record.cameraId,
        record.section,
        record.event,
        takenAt,
        record.personCount ?? null,
        facesJson,
        storedAt.toISOString(),
        fingerprint,
      );
      const stored = Number(result.changes) === 1;
      if (stored) {
        const bucket = bucketOf([
          { taken_at: takenAt, event: record.event, person_count: record.personCount ?? null, faces },
        ]);
        for (const [level, key] of [
          ['all', ''],
          ['h', takenAt.slice(0, 13)],
          ['m', takenAt.slice(0, 16)],
        ])
          this.bucketStmt.run(level, key, ...SUMS.map((c) => bucket[c as keyof Bucket] as number), bucket.last);
      }
      this.db.exec('COMMIT');
      if (stored) return 'stored';
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
    const existing = this.fingerprintStmt.get(record.frameId) as Pick<Row, 'fingerprint'> | undefined;
    return !existing?.fingerprint || existing.fingerprint === fingerprint ? 'duplicate' : 'conflict';
  }

  /** Rebuilds the aggregates from the rows (a store from before they existed, or bulk-loaded rows). */
  rebuildAggregates(): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.db.exec('DELETE FROM summary_buckets');
      const faceSums = `
        sum(CASE WHEN json_extract(j.value, '$.gender') = 'male' THEN 1 ELSE 0 END),
        sum(CASE WHEN json_extract(j.value, '$.gender') = 'female' THEN 1 ELSE 0 END),
        sum(CASE WHEN coalesce(json_extract(j.value, '$.gender'), '') NOT IN ('male', 'female') THEN 1 ELSE 0 END),
        ${AGE_COLUMNS()
          .map(
            (_, i) =>
              `sum(CASE WHEN typeof(json_extract(j.value, '$.age')) IN ('integer', 'real') AND min(9, max(0, CAST(json_extract(j.value, '$.age') / 10 AS INTEGER))) = ${i} THEN 1 ELSE 0 END)`,
          )
          .join(',\n        ')}`;
      for (const [level, key] of [
        ['all', "''"],
        ['h', 'substr(taken_at, 1, 13)'],
        ['m', 'substr(taken_at, 1, 16)'],
      ]) {
        this.db.exec(`
          INSERT INTO summary_buckets (level, key, frames, analysed, entries, exits, last)
          SELECT '${level}', ${key}, count(*), count(person_count),
                 coalesce(sum(CASE WHEN event = 'entry' THEN person_count END), 0),
                 coalesce(sum(CASE WHEN event = 'exit' THEN person_count END), 0), max(taken_at)
            FROM statistics GROUP BY 2;
          INSERT INTO summary_buckets (level, key, male, female, unknown, ${AGE_COLUMNS().join(', ')})
          SELECT '${level}', ${key.replace(/taken_at/g, 's.taken_at')}, ${faceSums}
            FROM statistics s, json_each(s.faces) j GROUP BY 2
          ON CONFLICT (level, key) DO UPDATE SET
            male = excluded.male, female = excluded.female, unknown = excluded.unknown,
            ${AGE_COLUMNS()
              .map((c) => `${c} = excluded.${c}`)
              .join(', ')};
        `);
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  count(): number {
    return this.bucketsIn('all', '', '\uffff').frames;
  }

  page(limit: number, offset: number): StatisticsRecordDto[] {
    return (this.pageStmt.all(limit, offset) as unknown as Row[]).map((r) => ({
      frameId: r.frame_id,
      cameraId: r.camera_id,
      section: r.section,
      event: r.event,
      timestamp: r.taken_at,
      personCount: r.person_count,
      faces: JSON.parse(r.faces),
      storedAt: r.stored_at,
    }));
  }

  /**
   * Totals of every frame taken at or after `since` (all frames when null), from the aggregates: the
   * 'all' row; or the rows of since's own minute, the minute buckets up to the next full hour, and the
   * hour buckets after it. Its cost depends on the window, not on how many rows are stored.
   */
  summary(section: string, since: Date | null): Omit<SummaryDto, 'windowSeconds'> {
    let total: Bucket;
    if (!since) {
      total = this.bucketsIn('all', '', '\uffff');
    } else {
      const from = since.toISOString();
      const nextMinute = new Date(Math.floor(since.getTime() / 60_000) * 60_000 + 60_000);
      const nextHour = new Date(Math.ceil(nextMinute.getTime() / 3_600_000) * 3_600_000);
      const head = bucketOf(this.rawStmt.all(from, nextMinute.toISOString()) as unknown as RawRow[]);
      const minutes = this.bucketsIn('m', nextMinute.toISOString().slice(0, 16), nextHour.toISOString().slice(0, 16));
      const hours = this.bucketsIn('h', nextHour.toISOString().slice(0, 13), '\uffff');
      total = addBuckets(addBuckets(head, minutes), hours);
    }
    const ages: Record<string, number> = {};
    for (let i = 0; i < 10; i++) {
      const n = total[`a${i}`];
      if (n > 0) ages[i === 9 ? '90+' : `${i * 10}-${i * 10 + 9}`] = n;
    }
    return {
      section,
      frames: total.frames,
      analysedFrames: total.analysed,
      entries: total.entries,
      exits: total.exits,
      occupancy: total.entries - total.exits,
      genders: { male: total.male, female: total.female, unknown: total.unknown },
      ages,
      lastFrameAt: total.last,
    };
  }

  private bucketsIn(level: string, from: string, to: string): Bucket {
    const row = this.rangeStmt.get(level, from, to) as Record<string, number | string | null>;
    const bucket = { last: (row.last as string | null) ?? null } as Bucket;
    for (const c of SUMS) (bucket as unknown as Record<string, number>)[c] = Number(row[c] ?? 0);
    return bucket;
  }

  ping(): void {
    this.rangeStmt.get('all', '', '\uffff');
  }

  /** After the HTTP server has drained (Nest closes modules first, then the server, then this). */
  onApplicationShutdown(): void {
    this.db.close();
  }
}

interface RawRow {
  taken_at: string;
  event: string;
  person_count: number | null;
  faces: string | { gender?: string; age?: number }[];
}

/** The aggregate of some rows (the same arithmetic as the SQL of rebuildAggregates). */
function bucketOf(rows: RawRow[]): Bucket {
  const b = { last: null } as unknown as Bucket;
  for (const c of SUMS) (b as unknown as Record<string, number>)[c] = 0;
  for (const row of rows) {
    b.frames += 1;
    if (row.person_count !== null) {
      b.analysed += 1;
      if (row.event === 'entry') b.entries += row.person_count;
      if (row.event === 'exit') b.exits += row.person_count;
    }
    if (b.last === null || row.taken_at > b.last) b.last = row.taken_at;
    const faces =
      typeof row.faces === 'string' ? (JSON.parse(row.faces) as { gender?: string; age?: number }[]) : row.faces;
    for (const { gender, age } of faces) {
      if (gender === 'male' || gender === 'female') b[gender] += 1;
      else b.unknown += 1;
      if (typeof age === 'number') b[`a${Math.min(9, Math.max(0, Math.floor(age / 10)))}`] += 1;
    }
  }
  return b;
}

function addBuckets(a: Bucket, b: Bucket): Bucket {
  const sum = { last: a.last === null || (b.last !== null && b.last > a.last) ? b.last : a.last } as Bucket;
  for (const c of SUMS)
    (sum as unknown as Record<string, number>)[c] =
      (a as unknown as Record<string, number>)[c] + (b as unknown as Record<string, number>)[c];
  return sum;
}
