import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { canonicalTimestamp, frameFingerprint } from '@airport-mesh/contracts';
import { openDatabase } from '@airport-mesh/platform';
import type { CreateStatisticsDto, StatisticsRecordDto, SummaryDto } from './statistics.dto.js';

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
  private readonly countStmt: StatementSync;
  private readonly pageStmt: StatementSync;
  private readonly fingerprintStmt: StatementSync;

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
    `);
    const columns = this.db.prepare('PRAGMA table_info(statistics)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'fingerprint'))
      this.db.exec('ALTER TABLE statistics ADD COLUMN fingerprint TEXT'); // a store from before fingerprints
    this.insertStmt = this.db.prepare(
      `INSERT INTO statistics (frame_id, camera_id, section, event, taken_at, person_count, faces, stored_at, fingerprint)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (frame_id) DO NOTHING`,
    );
    this.fingerprintStmt = this.db.prepare('SELECT fingerprint FROM statistics WHERE frame_id = ?');
    this.countStmt = this.db.prepare('SELECT count(*) AS n FROM statistics');
    this.pageStmt = this.db.prepare('SELECT * FROM statistics ORDER BY taken_at DESC, frame_id DESC LIMIT ? OFFSET ?');
  }

  /** Stores the record unless its frame id is stored already; then tells a retry from another frame. */
  insert(record: CreateStatisticsDto, storedAt: Date): InsertOutcome {
    const faces = JSON.stringify(record.faces.map(({ gender, age, ageRange }) => ({ gender, age, ageRange })));
    const fingerprint = frameFingerprint(record, [record.personCount ?? null, faces]);
    const result = this.insertStmt.run(
      record.frameId,
      record.cameraId,
      record.section,
      record.event,
      canonicalTimestamp(record.timestamp),
      record.personCount ?? null,
      faces,
      storedAt.toISOString(),
      fingerprint,
    );
    if (Number(result.changes) === 1) return 'stored';
    const stored = this.fingerprintStmt.get(record.frameId) as Pick<Row, 'fingerprint'> | undefined;
    return !stored?.fingerprint || stored.fingerprint === fingerprint ? 'duplicate' : 'conflict';
  }

  count(): number {
    return Number((this.countStmt.get() as { n: number }).n);
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

  summary(section: string, since: Date | null): Omit<SummaryDto, 'windowSeconds'> {
    const from = since ? since.toISOString() : '';
    const totals = this.db
      .prepare(
        `SELECT count(*) AS frames,
                count(person_count) AS analysed,
                coalesce(sum(CASE WHEN event = 'entry' THEN person_count END), 0) AS entries,
                coalesce(sum(CASE WHEN event = 'exit' THEN person_count END), 0) AS exits,
                max(taken_at) AS last
           FROM statistics WHERE taken_at >= ?`,
      )
      .get(from) as { frames: number; analysed: number; entries: number; exits: number; last: string | null };
    const faceRows = this.db
      .prepare(
        `SELECT json_extract(f.value, '$.gender') AS gender, json_extract(f.value, '$.age') AS age
           FROM statistics s, json_each(s.faces) f WHERE s.taken_at >= ?`,
      )
      .all(from) as { gender: string | null; age: number | null }[];
    const genders = { male: 0, female: 0, unknown: 0 };
    const ages: Record<string, number> = {};
    for (const { gender, age } of faceRows) {
      if (gender === 'male' || gender === 'female') genders[gender] += 1;
      else genders.unknown += 1;
      if (typeof age === 'number') {
        const decade = Math.min(9, Math.floor(age / 10)) * 10;
        const key = decade === 90 ? '90+' : `${decade}-${decade + 9}`;
        ages[key] = (ages[key] ?? 0) + 1;
      }
    }
    const entries = Number(totals.entries);
    const exits = Number(totals.exits);
    return {
      section,
      frames: Number(totals.frames),
      analysedFrames: Number(totals.analysed),
      entries,
      exits,
      occupancy: entries - exits,
      genders,
      ages,
      lastFrameAt: totals.last,
    };
  }

  ping(): void {
    this.countStmt.get();
  }

  /** After the HTTP server has drained (Nest closes modules first, then the server, then this). */
  onApplicationShutdown(): void {
    this.db.close();
  }
}
