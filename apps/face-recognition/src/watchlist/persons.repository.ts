import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DatabaseSync } from 'node:sqlite';
import { openDatabase } from '@airport-mesh/platform';

export interface PersonRow {
  id: string;
  name: string;
  createdAt: string;
  descriptors: Float32Array[];
}

/** The watch list: persons with their face descriptors and a thumbnail, in one SQLite file. */
@Injectable()
export class PersonsRepository implements OnApplicationShutdown {
  private readonly db: DatabaseSync;

  constructor(readonly path: string) {
    this.db = openDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS persons (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        thumbnail  BLOB NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS descriptors (
        person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        vector    BLOB NOT NULL,
        PRIMARY KEY (person_id, position)
      ) STRICT;
    `);
  }

  /** Inserts a person and all descriptors in one transaction: all or nothing. */
  insert(person: {
    id: string;
    name: string;
    createdAt: string;
    thumbnail: Buffer;
    descriptors: Float32Array[];
  }): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.db
        .prepare('INSERT INTO persons (id, name, created_at, thumbnail) VALUES (?, ?, ?, ?)')
        .run(person.id, person.name, person.createdAt, person.thumbnail);
      const add = this.db.prepare('INSERT INTO descriptors (person_id, position, vector) VALUES (?, ?, ?)');
      person.descriptors.forEach((d, i) => add.run(person.id, i, Buffer.from(d.buffer, d.byteOffset, d.byteLength)));
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  all(): PersonRow[] {
    const persons = this.db
      .prepare('SELECT id, name, created_at AS createdAt FROM persons ORDER BY created_at, rowid')
      .all() as unknown as Omit<PersonRow, 'descriptors'>[];
    const vectors = this.db
      .prepare('SELECT person_id AS personId, vector FROM descriptors ORDER BY person_id, position')
      .all() as unknown as { personId: string; vector: Uint8Array }[];
    const byPerson = new Map<string, Float32Array[]>();
    for (const v of vectors) {
      const copy = new Uint8Array(v.vector); // aligned copy
      const list = byPerson.get(v.personId) ?? [];
      list.push(new Float32Array(copy.buffer, 0, copy.byteLength / 4));
      byPerson.set(v.personId, list);
    }
    return persons.map((p) => ({ ...p, descriptors: byPerson.get(p.id) ?? [] }));
  }

  thumbnail(id: string): Buffer | null {
    const row = this.db.prepare('SELECT thumbnail FROM persons WHERE id = ?').get(id) as
      { thumbnail: Uint8Array } | undefined;
    return row ? Buffer.from(row.thumbnail) : null;
  }

  remove(id: string): boolean {
    return Number(this.db.prepare('DELETE FROM persons WHERE id = ?').run(id).changes) === 1;
  }

  count(): number {
    return Number((this.db.prepare('SELECT count(*) AS n FROM persons').get() as { n: number }).n);
  }

  /** After the HTTP server has drained (Nest closes modules first, then the server, then this). */
  onApplicationShutdown(): void {
    this.db.close();
  }
}
