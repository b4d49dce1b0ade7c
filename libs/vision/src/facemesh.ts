// The second stage: MediaPipe FaceMesh (shipped in @vladmandic/human) confirms each BlazeFace box.
// BlazeFace alone scores a cat's face, a squirrel, an apple or a cup of coffee as high as some real
// faces (0.5–0.78), so no threshold on its score separates them. FaceMesh looks at the box again,
// at 192×192 and with a network trained to fit a face mesh, and its "face flag" output (a sigmoid)
// is high only for faces. human crops it as it crops FaceRes: the box centre, a square of 1.4 × the
// longer side, values 0..1 (src/face/facemeshutil.ts cutAndResize: crop / 255).
// The flag of one crop is unstable off the face manifold: on the tuning split a squirrel scored
// 0.70 on its crop and 0.03 on the mirrored crop, while real faces stay high on both (a profile
// face: 0.51 and 1.00). So a box whose crop is not surely a face is also scored on the mirror image
// of that crop and the two flags are averaged: the squirrel gets 0.37, the lowest real face of 40 px
// or more 0.62 (docs/vision.md, section 6).
import type { Box, Point } from './blazeface.js';
import { faceCropAffine } from './faceres.js';
import { mirrorPlanar, sampleAffine, type RgbImage } from './image.js';
import { ort } from './models.js';

export const FACEMESH_SIZE = 192;

/**
 * Face flag at or above which a detection is kept. Chosen on the tuning split of the evaluation set
 * only (libs/vision/eval; docs/vision.md lists the flags of every face and non-face there).
 */
export const DEFAULT_MIN_FACE_CONFIDENCE = 0.5;

/**
 * A crop whose flag is at least this is a face without asking its mirror image. Chosen on the tuning
 * split only (`nx run vision:tune` prints it): of the 172 candidates the detector gives there at score
 * ≥ 0.3, 113 have a crop flag ≥ 0.99, and none of them has a mirrored flag under 0.5, so skipping the
 * mirror changes no decision.
 * The squirrel's 0.70 (mirror 0.03) is why the bar is this high.
 */
export const MIRROR_SKIP_FLAG = 0.99;

/**
 * The face flag (0..1) of each detection: its crop's flag when that is at least MIRROR_SKIP_FLAG, else
 * the mean over its crop and its mirrored crop. One FaceMesh run for the crops, one more for the
 * mirror images of the unsure ones only.
 */
export async function faceConfidence(
  session: ort.InferenceSession,
  img: RgbImage,
  faces: { raw: Box; landmarks: Point[] }[],
): Promise<Float32Array> {
  if (!faces.length) return new Float32Array(0);
  const crops = sampleCrops(img, faces);
  const flags = await faceFlags(session, crops, faces.length);
  const unsure = [...flags.keys()].filter((i) => flags[i] < MIRROR_SKIP_FLAG);
  if (unsure.length) {
    const mirrored = await faceFlags(session, mirrorsOf(crops, unsure), unsure.length);
    unsure.forEach((i, k) => (flags[i] = (flags[i] + mirrored[k]) / 2));
  }
  return flags;
}

/**
 * The flag of every box's crop and of its mirror image, both always: what MIRROR_SKIP_FLAG was chosen
 * on (`nx run vision:tune` prints them for the tuning split).
 */
export async function cropAndMirrorFlags(
  session: ort.InferenceSession,
  img: RgbImage,
  faces: { raw: Box; landmarks: Point[] }[],
): Promise<{ crop: Float32Array; mirror: Float32Array }> {
  if (!faces.length) return { crop: new Float32Array(0), mirror: new Float32Array(0) };
  const crops = sampleCrops(img, faces);
  const all = faces.map((_, i) => i);
  return {
    crop: await faceFlags(session, crops, faces.length),
    mirror: await faceFlags(session, mirrorsOf(crops, all), faces.length),
  };
}

/** Each box's FaceMesh crop, planar, one after the other. */
function sampleCrops(img: RgbImage, faces: { raw: Box; landmarks: Point[] }[]): Float32Array {
  const per = 3 * FACEMESH_SIZE * FACEMESH_SIZE;
  const crops = new Float32Array(per * faces.length);
  faces.forEach((f, i) => {
    const m = faceCropAffine(f.raw, f.landmarks, false, FACEMESH_SIZE);
    const ss = Math.max(1, Math.min(3, Math.round(Math.hypot(m.ax, m.ay) / 1.5)));
    sampleAffine(img, crops, i * per, FACEMESH_SIZE, FACEMESH_SIZE, m, 1 / 255, 0, ss);
  });
  return crops;
}

/** The mirror images of the crops at `indices` (the crop is never rotated: its mirror is its rows reversed). */
function mirrorsOf(crops: Float32Array, indices: number[]): Float32Array {
  const per = 3 * FACEMESH_SIZE * FACEMESH_SIZE;
  const mirrors = new Float32Array(per * indices.length);
  indices.forEach((i, k) => {
    mirrors.set(crops.subarray(i * per, (i + 1) * per), k * per);
    mirrorPlanar(mirrors, k * per, k * per, FACEMESH_SIZE, FACEMESH_SIZE);
  });
  return mirrors;
}

async function faceFlags(session: ort.InferenceSession, crops: Float32Array, n: number): Promise<Float32Array> {
  const out = await session.run({
    [session.inputNames[0]]: new ort.Tensor('float32', crops, [n, 3, FACEMESH_SIZE, FACEMESH_SIZE]),
  });
  return Float32Array.from(out.faceflag.data as Float32Array);
}
