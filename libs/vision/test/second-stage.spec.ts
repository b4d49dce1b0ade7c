// The second stage on real inference: FaceMesh's face flag keeps the sample faces and drops the
// boxes BlazeFace finds on a synthetic non-face, and the mirrored crop it averages over is exactly
// the mirror image of the crop.
import sharp from 'sharp';
import { Vision } from '../src/index.js';
import { sampleAffine, type RgbImage } from '../src/image.js';
import { sample } from './helpers.js';

test('mirrored affine = the crop flipped left to right', () => {
  const W = 37;
  const H = 23;
  const data = new Uint8Array(W * H * 3).map((_, i) => (i * 97 + (i >> 5) * 13) % 256);
  const img: RgbImage = { data, width: W, height: H };
  const S = 16;
  const m = { ax: 1.3, bx: 0, cx: 4.2, ay: 0, by: 1.1, cy: 2.7 };
  const mirror = { ...m, ax: -m.ax, cx: m.cx + m.ax * S, ay: -m.ay, cy: m.cy + m.ay * S };
  const a = new Float32Array(3 * S * S);
  const b = new Float32Array(3 * S * S);
  sampleAffine(img, a, 0, S, S, m, 1, 0, 2);
  sampleAffine(img, b, 0, S, S, mirror, 1, 0, 2);
  for (let c = 0; c < 3; c++)
    for (let v = 0; v < S; v++)
      for (let u = 0; u < S; u++) expect(b[c * S * S + v * S + u]).toBeCloseTo(a[c * S * S + v * S + (S - 1 - u)], 3);
});

test('every sample face passes the second stage; confirm: none gives the detector boxes back', async () => {
  const confirmed = await Vision.load();
  const raw = new Vision({ confirm: 'none' });
  for (const n of [1, 2, 3]) {
    const a = await confirmed.analyze(sample(n));
    const b = await raw.analyze(sample(n));
    expect(a.faces.length).toBe(b.faces.length);
    for (const f of a.faces) expect(f.faceConfidence).toBeGreaterThanOrEqual(confirmed.minFaceConfidence);
    expect(b.faces.every((f) => f.faceConfidence === undefined)).toBe(true);
    expect(a.timings.confirmMs).toBeGreaterThan(0);
    expect(a.timings.detectMs).toBeGreaterThanOrEqual(a.timings.confirmMs!);
  }
}, 60_000);

test('a face-like blob of colour is a detector candidate but not a face', async () => {
  // a skin-coloured disc with two dark eyes and a mouth: BlazeFace's candidates at minScore 0.3,
  // none of which FaceMesh confirms
  const svg = `<svg width="400" height="400" xmlns="http://www.w3.org/2000/svg"><rect width="400" height="400" fill="#5a7a4a"/>
    <circle cx="200" cy="200" r="110" fill="#d9a07a"/><circle cx="160" cy="170" r="14" fill="#222"/>
    <circle cx="240" cy="170" r="14" fill="#222"/><ellipse cx="200" cy="260" rx="40" ry="12" fill="#8a3030"/></svg>`;
  const jpeg = await sharp(Buffer.from(svg)).jpeg().toBuffer();
  const probe = new Vision({ minScore: 0.3, minFaceConfidence: 0 });
  const cands = await probe.detect(jpeg);
  const strict = await Vision.load();
  const kept = await strict.detect(jpeg);
  console.log(
    `smiley: ${cands.faces.length} candidates, scores ${cands.faces.map((f) => `${f.score.toFixed(2)}/${f.faceConfidence?.toFixed(3)}`).join(' ')}; kept ${kept.faces.length}`,
  );
  expect(kept.faces.every((f) => (f.faceConfidence ?? 0) >= strict.minFaceConfidence)).toBe(true);
  expect(kept.faces.length).toBe(cands.faces.filter((f) => f.score >= 0.5 && f.faceConfidence! >= 0.5).length);
}, 60_000);
