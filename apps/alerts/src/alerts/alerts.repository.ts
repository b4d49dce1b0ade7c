import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { canonicalTimestamp, frameFingerprint } from '@airport-mesh/contracts';
import { openDatabase } from '@airport-mesh/platform';
import type { AlertDto, CreateAlertDto } from './alerts.dto.js';

interface Row {
  id: number;
  frame_id: string;
  person_id: string;
  camera_id: string;
  section: string;
  event: 'entry' | 'exit';
  taken_at: string;
  name: string;
  similarity: number;
  box: string | null;
  stored_at: string;
  fingerprint: string | null;
}

/** A position in the newest-first order: (frame time, store sequence). */
export interface AlertCursor {
  takenAt: string;
  id: number;
}

export function encodeCursor(cursor: AlertCursor): string {
  return Buffer.from(`${cursor.takenAt}|${cursor.id}`).toString('base64url');
}

/** Returns null for anything that is not a cursor this service made. */
export function decodeCursor(value: string): AlertCursor | null {
  const [takenAt, id, ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  if (rest.length || !takenAt || !/^\d{1,15}$/.test(id ?? '') || Number.isNaN(Date.parse(takenAt))) return null;
  return { takenAt, id: Number(id) };
}

function toAlert(r: Row): AlertDto {
  return {
    id: r.id,
    frameId: r.frame_id,
    cameraId: r.camera_id,
    section: r.section,
    event: r.event,
    timestamp: r.taken_at,
    personId: r.person_id,
    name: r.name,
    similarity: r.similarity,
    ...(r.box ? { box: JSON.parse(r.box) } : {}),
    storedAt: r.stored_at,
  };
}

/**
 * The alerts' durable store: one SQLite file (WAL, synchronous=FULL: a row is on disk before the insert
 * returns, so an acknowledged alert survives SIGKILL). (frame id, person id) is unique, which makes a
 * retried delivery a no-op; each row keeps its frame's fingerprint (contracts' frameFingerprint), so an
 * alert of another frame under a stored frame id is told apart from a retry.
 */
@Injectable()
export class AlertsRepository implements OnApplicationShutdown {
  private readonly db: DatabaseSync;
  private readonly insertStmt: StatementSync;
  private readonly byKeyStmt: StatementSync;
  private readonly pingStmt: StatementSync;

  constructor(readonly path: string) {
    this.db = openDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS alerts (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        frame_id   TEXT NOT NULL,
        person_id  TEXT NOT NULL,
        camera_id  TEXT NOT NULL,
        section    TEXT NOT NULL,
        event      TEXT NOT NULL CHECK (event IN ('entry', 'exit')),
        taken_at   TEXT NOT NULL,
        name       TEXT NOT NULL,
        similarity REAL NOT NULL,
        box        TEXT,
        stored_at  TEXT NOT NULL,
        fingerprint TEXT,
        UNIQUE (frame_id, person_id)
      ) STRICT;
      CREATE INDEX IF NOT EXISTS alerts_newest ON alerts (taken_at DESC, id DESC);
      CREATE INDEX IF NOT EXISTS alerts_section_newest ON alerts (section, taken_at DESC, id DESC);
    `);
    const columns = this.db.prepare('PRAGMA table_info(alerts)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'fingerprint')) this.db.exec('ALTER TABLE alerts ADD COLUMN fingerprint TEXT'); // a store from before fingerprints
    this.insertStmt = this.db.prepare(
      `INSERT INTO alerts (frame_id, person_id, camera_id, section, event, taken_at, name, similarity, box, stored_at, fingerprint)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (frame_id, person_id) DO NOTHING RETURNING *`,
    );
    this.byKeyStmt = this.db.prepare('SELECT * FROM alerts WHERE frame_id = ? AND person_id = ?');
    this.pingStmt = this.db.prepare('SELECT 1');
  }

  /**
   * Stores the alert unless (frame id, person id) is already stored; returns the stored row either way,
   * and whether it is this alert's frame (`conflict`: another frame's alert holds the frame id).
   */
  insert(alert: CreateAlertDto, storedAt: Date): { alert: AlertDto; stored: boolean; conflict: boolean } {
    const box = alert.box
      ? JSON.stringify({ x: alert.box.x, y: alert.box.y, width: alert.box.width, height: alert.box.height })
      : null;
    const fingerprint = frameFingerprint(alert, [alert.name, alert.similarity, box]);
    const inserted = this.insertStmt.get(
      alert.frameId,
      alert.personId,
      alert.cameraId,
      alert.section,
      alert.event,
      canonicalTimestamp(alert.timestamp),
      alert.name,
      alert.similarity,
      box,
      storedAt.toISOString(),
      fingerprint,
    ) as Row | undefined;
    if (inserted) return { alert: toAlert(inserted), stored: true, conflict: false };
    const row = this.byKeyStmt.get(alert.frameId, alert.personId) as unknown as Row;
    return {
      alert: toAlert(row),
      stored: false,
      conflict: Boolean(row.fingerprint) && row.fingerprint !== fingerprint,
    };
  }

  count(section?: string): number {
    const row = section
      ? this.db.prepare('SELECT count(*) AS n FROM alerts WHERE section = ?').get(section)
      : this.db.prepare('SELECT count(*) AS n FROM alerts').get();
    return Number((row as { n: number }).n);
  }

  /** Newest frame first; after `cursor` when given, else from `offset`. */
  page(options: { limit: number; offset: number; cursor?: AlertCursor; section?: string }): AlertDto[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (options.section) {
      where.push('section = ?');
      params.push(options.section);
    }
    if (options.cursor) {
      where.push('(taken_at < ? OR (taken_at = ? AND id < ?))');
      params.push(options.cursor.takenAt, options.cursor.takenAt, options.cursor.id);
    }
    const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY taken_at DESC, id DESC LIMIT ? OFFSET ?`;
    params.push(options.limit, options.cursor ? 0 : options.offset);
    return (this.db.prepare(sql).all(...params) as unknown as Row[]).map(toAlert);
  }

  ping(): void {
    this.pingStmt.get();
  }

  /** After the HTTP server has drained (Nest closes it before this hook), so no request finds the store closed. */
  onApplicationShutdown(): void {
    this.db.close();
  }
}
