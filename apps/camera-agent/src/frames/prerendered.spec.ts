import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageHeader } from '@airport-mesh/platform';
import { buildFrames } from './build-frames.js';
import { readPrerendered } from './prerendered.js';
import { renderFrames, sampleImagePaths } from './render.js';

describe('frames rendered at build time', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'frames-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are the same bytes a camera renders at start from the same photos and size', async () => {
    const sources = sampleImagePaths();
    expect(await buildFrames(dir)).toBe(sources.length);
    const built = readPrerendered(dir, 1280, 720, sources);
    expect(built).toHaveLength(sources.length);
    const now = await renderFrames(sources, 1280, 720);
    expect(built!.map((b, i) => b.equals(now[i]))).toEqual(sources.map(() => true));
    expect(imageHeader(built![0])).toMatchObject({ width: 1280, height: 720 });
    expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))).toMatchObject({
      width: 1280,
      height: 720,
      sources: sources.map((s) => s.split('/').pop()),
    });
  });

  it('are not used for another size or other photos, nor when the build made none', () => {
    const sources = sampleImagePaths();
    expect(readPrerendered(dir, 640, 480, sources)).toBeNull();
    expect(readPrerendered(dir, 1280, 720, sources.slice(1))).toBeNull();
    expect(readPrerendered(dir, 1280, 720, [...sources].reverse())).toBeNull();
    expect(readPrerendered(join(dir, 'none'), 1280, 720, sources)).toBeNull();
  });
});
