// The benches' frames: 1280×720 JPEGs composed from the sample faces of @vladmandic/face-api
// (1 to 6 faces of about 120 px), the same bytes for every bench that compares against them.
import { join } from 'node:path';
import sharp, { type OverlayOptions } from 'sharp';

// face centres (from libs/vision/test/fixtures/ground-truth.json) and a crop side for each tile
const FACES: { file: string; cx: number; cy: number }[] = [
  { file: 'sample3.jpg', cx: 682, cy: 470 },
  { file: 'sample6.jpg', cx: 758, cy: 490 },
  { file: 'sample5.jpg', cx: 854, cy: 221 },
  { file: 'sample1.jpg', cx: 1565, cy: 317 },
  { file: 'sample4.jpg', cx: 1354, cy: 269 },
  { file: 'sample6.jpg', cx: 1613, cy: 394 },
];

export async function composeFrame(samplesDir: string, n: number): Promise<Buffer> {
  const W = 1280;
  const H = 720;
  const tile = 300; // 480 px of the photo (face ≈ 200 px) scaled to 300 → faces ≈ 120 px wide
  const cols = Math.min(n, 3);
  const rows = Math.ceil(n / 3);
  const gapX = (W - cols * tile) / (cols + 1);
  const gapY = (H - rows * tile) / (rows + 1);
  const composites: OverlayOptions[] = [];
  for (let i = 0; i < n; i++) {
    const f = FACES[i];
    const side = 480;
    const input = await sharp(join(samplesDir, f.file))
      .extract({
        left: Math.max(0, Math.round(f.cx - side / 2)),
        top: Math.max(0, Math.round(f.cy - side / 2)),
        width: side,
        height: side,
      })
      .resize(tile, tile)
      .toBuffer();
    composites.push({
      input,
      left: Math.round(gapX + (i % 3) * (tile + gapX)),
      top: Math.round(gapY + Math.floor(i / 3) * (tile + gapY)),
    });
  }
  return sharp({ create: { width: W, height: H, channels: 3, background: { r: 70, g: 80, b: 95 } } })
    .composite(composites)
    .jpeg({ quality: 85 })
    .toBuffer();
}
