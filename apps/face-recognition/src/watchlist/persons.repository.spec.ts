// The watch list's store on a real SQLite file: persons come back in the order they were enrolled,
// also when several are enrolled within one millisecond (the demo seed stores two at once).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PersonsRepository } from './persons.repository.js';

describe('PersonsRepository', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'persons-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists persons in enrolment order, ties of created_at broken by insertion, not by id', () => {
    const repo = new PersonsRepository(join(dir, 'watchlist.db'));
    const createdAt = '2026-12-01T05:00:00.000Z';
    const person = (id: string, name: string) => ({
      id,
      name,
      createdAt,
      thumbnail: Buffer.from([1]),
      descriptors: [Float32Array.from([1, 0])],
    });
    // ids in the reverse of their enrolment order
    repo.insert(person('ffff', 'PersonX'));
    repo.insert(person('0000', 'PersonY'));
    repo.insert({ ...person('8888', 'PersonZ'), createdAt: '2026-12-01T04:59:59.999Z' });
    expect(repo.all().map((p) => p.name)).toEqual(['PersonZ', 'PersonX', 'PersonY']);
    repo.onApplicationShutdown();
    // and the same from the file, opened again
    const again = new PersonsRepository(join(dir, 'watchlist.db'));
    expect(again.all().map((p) => p.name)).toEqual(['PersonZ', 'PersonX', 'PersonY']);
    again.onApplicationShutdown();
  });
});
