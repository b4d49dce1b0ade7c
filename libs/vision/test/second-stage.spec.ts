// The second stage on real inference: FaceMesh's face flag keeps the sample faces and drops the
// boxes BlazeFace finds on face-free images, and the mirrored crop it averages over is exactly the
// mirror image of the crop.
import { join } from 'node:path';
import { defaultModelsDir, MODEL_FILES, Vision } from '../src/index.js';
import { faceConfidence, FACEMESH_SIZE, MIRROR_SKIP_FLAG } from '../src/facemesh.js';
import { faceCropAffine } from '../src/faceres.js';
import { decodeImage, mirrorPlanar, sampleAffine, type RgbImage } from '../src/image.js';
import { ort } from '../src/models.js';
import { negatives, sample } from './helpers.js';

test.each([1, 2, 3])('mirrored affine = the crop flipped left to right = mirrorPlanar of the crop (ss %i)', (ss) => {
  const W = 24 * ss + 13;
  const H = 18 * ss + 5;
  const data = new Uint8Array(W * H * 3).map((_, i) => (i * 97 + (i >> 5) * 13) % 256);
  const img: RgbImage = { data, width: W, height: H };
  const S = 16;
  // at ss 1 the crop reaches past the image's right and bottom edges, so the border taps are covered too
  const m = { ax: 1.3 * ss, bx: 0, cx: 4.2, ay: 0, by: 1.1 * ss, cy: 2.7 };
  const mirror = { ...m, ax: -m.ax, cx: m.cx + m.ax * S, ay: -m.ay, cy: m.cy + m.ay * S };
  const a = new Float32Array(3 * S * S * 2);
  const b = new Float32Array(3 * S * S);
  sampleAffine(img, a, 0, S, S, m, 1, 0, ss);
  sampleAffine(img, b, 0, S, S, mirror, 1, 0, ss);
  // what the second stage does instead of the second sampling
  mirrorPlanar(a, 0, 3 * S * S, S, S);
  let nonzero = 0;
  for (let c = 0; c < 3; c++)
    for (let v = 0; v < S; v++)
      for (let u = 0; u < S; u++) {
        const o = c * S * S + v * S + u;
        expect(b[o]).toBeCloseTo(a[c * S * S + v * S + (S - 1 - u)], 3);
        expect(a[3 * S * S + o]).toBeCloseTo(b[o], 3);
        if (b[o] !== 0) nonzero++;
      }
  expect(nonzero).toBeGreaterThan(S * S);
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

test('on the face-free images, detector candidates get low face flags and none is kept', async () => {
  // BlazeFace candidates down to score 0.3 on the non-person frames and face-free crops of the
  // samples: the second stage must score every one below the threshold
  const probe = new Vision({ minScore: 0.3, minFaceConfidence: 0 });
  const strict = await Vision.load();
  const flags: string[] = [];
  let candidates = 0;
  for (const n of await negatives()) {
    const c = await probe.detect(n.image);
    candidates += c.faces.length;
    for (const f of c.faces) {
      flags.push(`${n.name}: ${f.score.toFixed(2)}/${f.faceConfidence!.toFixed(3)}`);
      expect(f.faceConfidence!).toBeLessThan(strict.minFaceConfidence);
    }
    expect((await strict.detect(n.image)).faces).toEqual([]);
  }
  console.log(`non-face candidates (detector score / face flag): ${flags.join('; ')}`);
  expect(candidates).toBeGreaterThan(0);
}, 60_000);

test('the mirror image is asked only below MIRROR_SKIP_FLAG: a sure face keeps its crop’s flag, an unsure box gets the mean', async () => {
  const session = await ort.InferenceSession.create(join(defaultModelsDir(), MODEL_FILES.facemesh), {
    intraOpNumThreads: 1,
  });
  const S = FACEMESH_SIZE;
  // one crop alone through FaceMesh: the flag the second stage would see for it
  const flagOf = async (crop: Float32Array) =>
    (
      (await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', crop, [1, 3, S, S]) })).faceflag
        .data as Float32Array
    )[0];
  const candidates = new Vision({ minScore: 0.3, minFaceConfidence: 0, confirm: 'none' });
  const images = [sample(1), sample(2), ...(await negatives()).map((n) => n.image)];
  let sure = 0;
  let unsure = 0;
  for (const bytes of images) {
    const rgb = await decodeImage(bytes);
    const faces = (await candidates.detect(rgb)).faces.map((f) => ({ raw: f.box, landmarks: f.landmarks }));
    if (!faces.length) continue;
    // all boxes of the image in one call, as the pipeline makes it
    const got = await faceConfidence(session, rgb, faces);
    for (const [i, f] of faces.entries()) {
      const crop = new Float32Array(3 * S * S * 2);
      const m = faceCropAffine(f.raw, f.landmarks, false, S);
      sampleAffine(
        rgb,
        crop,
        0,
        S,
        S,
        m,
        1 / 255,
        0,
        Math.max(1, Math.min(3, Math.round(Math.hypot(m.ax, m.ay) / 1.5))),
      );
      mirrorPlanar(crop, 0, 3 * S * S, S, S);
      const own = await flagOf(crop.slice(0, 3 * S * S));
      if (own >= MIRROR_SKIP_FLAG) {
        sure++;
        expect(got[i]).toBeCloseTo(own, 4);
      } else {
        unsure++;
        expect(got[i]).toBeCloseTo((own + (await flagOf(crop.slice(3 * S * S)))) / 2, 4);
      }
    }
  }
  expect(sure).toBeGreaterThan(0);
  expect(unsure).toBeGreaterThan(0);
  await session.release();
}, 120_000);
