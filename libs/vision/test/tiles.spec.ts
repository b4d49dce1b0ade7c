// The tiled detection pass: the tile plan covers the frame with the promised overlap, boxes cut by an
// inner tile edge are recognised, and on real inference a wide frame of small faces, which the
// whole-frame pass shrinks below what BlazeFace can see, gets its faces back from the tiles.
import sharp from 'sharp';
import { cutByTile, insideShare, tilePlan } from '../src/blazeface.js';
import { defaultTileSize, TILE_OVERLAP, Vision } from '../src/index.js';
import { sample } from './helpers.js';

test.each([
  [730, 276, 256],
  [1920, 954, 477],
  [1280, 720, 360],
  [2560, 800, 400],
  [200, 150, 256],
])('tilePlan covers %i×%i with tiles of %i, neighbours overlapping by ≥ TILE_OVERLAP', (width, height, size) => {
  expect(defaultTileSize(width, height)).toBe(size);
  const tiles = tilePlan({ width, height }, size, TILE_OVERLAP);
  const xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
  const ys = [...new Set(tiles.map((t) => t.y))].sort((a, b) => a - b);
  expect(tiles).toHaveLength(xs.length * ys.length);
  for (const [starts, len] of [
    [xs, width],
    [ys, height],
  ] as const) {
    expect(starts[0]).toBe(0);
    if (len <= size) expect(starts).toEqual([0]);
    else {
      expect(starts[starts.length - 1] + size).toBe(len);
      for (let i = 1; i < starts.length; i++)
        expect(starts[i - 1] + size - starts[i]).toBeGreaterThanOrEqual(Math.floor(TILE_OVERLAP * size));
    }
  }
});

test('cutByTile: a box at an inner tile edge is cut, one at the image edge is not', () => {
  const img = { width: 1000, height: 500 };
  const tile = { x: 300, y: 0, size: 400 };
  const box = (x1: number, y1: number, x2: number, y2: number) => ({
    score: 0.9,
    coords: Float64Array.from([x1, y1, x2, y2, ...new Array(12).fill(0)]),
  });
  expect(cutByTile(box(302, 100, 360, 160), tile, img, 8)).toBe(true); // left edge of the tile, inside the image
  expect(cutByTile(box(640, 100, 698, 160), tile, img, 8)).toBe(true); // right edge
  expect(cutByTile(box(400, 100, 460, 160), tile, img, 8)).toBe(false);
  expect(cutByTile(box(400, 2, 460, 60), tile, img, 8)).toBe(false); // top edge is the image's own edge
});

test('insideShare: the share of the first box inside the second', () => {
  const b = (x1: number, y1: number, x2: number, y2: number) => Float64Array.from([x1, y1, x2, y2]);
  expect(insideShare(b(10, 10, 20, 20), b(0, 0, 100, 100))).toBe(1);
  expect(insideShare(b(0, 0, 100, 100), b(10, 10, 20, 20))).toBe(0.01);
  expect(insideShare(b(0, 0, 10, 10), b(5, 0, 20, 10))).toBe(0.5);
  expect(insideShare(b(0, 0, 10, 10), b(30, 30, 40, 40))).toBe(0);
});

test('a wide frame of small faces: the whole-frame pass misses them, the tiled pass finds them, once each', async () => {
  // the six sample photos side by side at 600 px wide: 22 faces of about 60–75 px in a 3600×338 frame,
  // which the whole-frame letterbox shrinks to 256×24 (faces of about 5 px)
  const parts = await Promise.all(
    [1, 2, 3, 4, 5, 6].map((n) => sharp(sample(n)).resize({ width: 600 }).raw().toBuffer({ resolveWithObject: true })),
  );
  const height = Math.min(...parts.map((p) => p.info.height));
  const frame = await sharp({ create: { width: 3600, height, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite(
      await Promise.all(
        parts.map(async (p, i) => ({
          input: await sharp(p.data, { raw: { width: p.info.width, height: p.info.height, channels: 3 } })
            .extract({ left: 0, top: 0, width: 600, height })
            .png()
            .toBuffer(),
          left: 600 * i,
          top: 0,
        })),
      ),
    )
    .jpeg({ quality: 90 })
    .toBuffer();
  const off = await new Vision({ tiling: 'off' }).detect(frame);
  const tiled = await new Vision({ tiling: 'always' }).analyze(frame);
  expect(off.faces.length).toBeLessThanOrEqual(2);
  expect(tiled.timings.tiles).toBeGreaterThan(1);
  expect(tiled.faces.length).toBeGreaterThanOrEqual(18);
  // at most one extra box: a coarse whole-frame box wider than the tiles' overlap is kept, and here one
  // spans two neighbouring faces of sample5 (docs/vision.md, "Tiles", what remains)
  expect(tiled.faces.length).toBeLessThanOrEqual(23);
  // no face twice: no two merged boxes overlap by more than the NMS threshold
  for (const a of tiled.faces)
    for (const b of tiled.faces) {
      if (a === b) continue;
      const ix = Math.max(0, Math.min(a.box.x + a.box.width, b.box.x + b.box.width) - Math.max(a.box.x, b.box.x));
      const iy = Math.max(0, Math.min(a.box.y + a.box.height, b.box.y + b.box.height) - Math.max(a.box.y, b.box.y));
      const union = a.box.width * a.box.height + b.box.width * b.box.height - ix * iy;
      expect((ix * iy) / union).toBeLessThanOrEqual(0.3);
    }
}, 60_000);

test('a close-up: tiles that see part of a large face do not add it again', async () => {
  // the middle face of sample1 (about 200 px) enlarged to fill a 720 px tall frame: every 360 px tile
  // sees only part of it, and some parts look like a smaller face to BlazeFace
  const crop = await sharp(sample(1))
    .extract({ left: 941 - 200, top: 547 - 200, width: 400, height: 400 })
    .resize(720, 720)
    .toBuffer();
  const frame = await sharp({ create: { width: 1280, height: 720, channels: 3, background: { r: 24, g: 26, b: 32 } } })
    .composite([{ input: crop, left: 280, top: 0 }])
    .jpeg({ quality: 90 })
    .toBuffer();
  const tiled = await new Vision({ tiling: 'always' }).detect(frame);
  const whole = await new Vision({ tiling: 'off' }).detect(frame);
  expect(whole.faces).toHaveLength(1);
  expect(tiled.faces).toHaveLength(1);
  expect(tiled.faces[0].box).toEqual(whole.faces[0].box);
}, 60_000);
