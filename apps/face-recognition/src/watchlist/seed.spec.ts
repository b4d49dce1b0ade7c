import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vision, defaultModelsDir, similarity } from '@airport-mesh/vision';
import { DEFAULT_WATCHLIST, computeSeed, readSeed, writeSeed } from './seed.js';

describe('the default watch list computed at build time', () => {
  let dir: string;
  let vision: Vision;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seed-'));
    vision = new Vision();
    await vision.ready();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back exactly what the models computed: descriptors, thumbnails, persons in order', async () => {
    const computed = await computeSeed(vision);
    expect(computed.map((p) => p.name)).toEqual(DEFAULT_WATCHLIST.map((p) => p.name));
    const file = join(dir, 'seed.json');
    writeSeed(file, vision.modelsDir, computed);
    const read = readSeed(file, vision.modelsDir)!;
    expect(read.map((p) => [p.name, p.sample])).toEqual(computed.map((p) => [p.name, p.sample]));
    for (const [i, p] of read.entries()) {
      expect(Array.from(p.descriptor)).toEqual(Array.from(computed[i].descriptor));
      expect(p.thumbnail.equals(computed[i].thumbnail)).toBe(true);
      expect(similarity(p.descriptor, computed[i].descriptor)).toBeCloseTo(1, 6);
    }
    // Two different persons: their descriptors are not the same face.
    expect(similarity(read[0].descriptor, read[1].descriptor)).toBeLessThan(0.6);
  });

  it('is ignored when the models differ from those that made it, or it names other persons', async () => {
    const models = join(dir, 'models');
    cpSync(defaultModelsDir(), models, { recursive: true });
    const file = join(dir, 'seed.json');
    writeSeed(file, models, await computeSeed(vision));
    expect(readSeed(file, models)).toHaveLength(DEFAULT_WATCHLIST.length);
    const manifest = JSON.parse(readFileSync(join(models, 'manifest.json'), 'utf8'));
    manifest.models.faceres.sha256 = '0'.repeat(64); // another faceres model
    writeFileSync(join(models, 'manifest.json'), JSON.stringify(manifest));
    expect(readSeed(file, models)).toBeNull();
    const other = JSON.parse(readFileSync(file, 'utf8'));
    other.persons[0].name = 'Somebody';
    writeFileSync(file, JSON.stringify(other));
    expect(readSeed(file, vision.modelsDir)).toBeNull();
    expect(readSeed(join(dir, 'missing.json'), vision.modelsDir)).toBeNull();
  });
});
