// The second stage: MediaPipe FaceMesh (shipped in @vladmandic/human) confirms each BlazeFace box.
// BlazeFace alone scores a cat's face, a squirrel, an apple or a cup of coffee as high as some real
// faces (0.5–0.78), so no threshold on its score separates them. FaceMesh looks at the box again,
// at 192×192 and with a network trained to fit a face mesh, and its "face flag" output (a sigmoid)
// is high only for faces. human crops it as it crops FaceRes: the box centre, a square of 1.4 × the
// longer side, values 0..1 (src/face/facemeshutil.ts cutAndResize: crop / 255).
// The flag of one crop is unstable off the face manifold: on the tuning split a squirrel scored
// 0.70 on its crop and 0.03 on the mirrored crop, while real faces stay high on both (a profile
// face: 0.51 and 1.00). So each box is scored on its crop and on the mirror image of that crop (one
// batched run of 2·N) and the two flags are averaged: the squirrel gets 0.37, the lowest real face
// of 40 px or more 0.62 (docs/vision.md, section 6).
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

/** The face flag (0..1) of each detection: the mean over its crop and the mirrored crop, all in one FaceMesh run. */
export async function faceConfidence(
  session: ort.InferenceSession,
  img: RgbImage,
  faces: { raw: Box; landmarks: Point[] }[],
): Promise<Float32Array> {
  if (!faces.length) return new Float32Array(0);
  const per = 3 * FACEMESH_SIZE * FACEMESH_SIZE;
  const n = faces.length;
  const input = new Float32Array(per * 2 * n);
  faces.forEach((f, i) => {
    const m = faceCropAffine(f.raw, f.landmarks, false, FACEMESH_SIZE);
    const ss = Math.max(1, Math.min(3, Math.round(Math.hypot(m.ax, m.ay) / 1.5)));
    sampleAffine(img, input, i * per, FACEMESH_SIZE, FACEMESH_SIZE, m, 1 / 255, 0, ss);
    // the mirror image of the same crop (the crop is never rotated, so its mirror is its rows reversed)
    mirrorPlanar(input, i * per, (n + i) * per, FACEMESH_SIZE, FACEMESH_SIZE);
  });
  const out = await session.run({
    [session.inputNames[0]]: new ort.Tensor('float32', input, [2 * n, 3, FACEMESH_SIZE, FACEMESH_SIZE]),
  });
  const flag = out.faceflag.data as Float32Array;
  return Float32Array.from({ length: n }, (_, i) => (flag[i] + flag[n + i]) / 2);
}
