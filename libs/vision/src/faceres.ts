// FaceRes (HSE-asavchenko MobileNet, via @vladmandic/human): the face crop it takes and how its
// three outputs are read. human feeds it the BlazeFace box enlarged 1.4× and squared, resized to
// 224×224, RGB in 0..255 (src/face/faceres.ts `enhance`: crop/255 then ×255).
import type { Affine } from './image.js';
import type { Box, Point } from './blazeface.js';

export const FACERES_SIZE = 224;
export const CROP_ENLARGE = 1.4;

/**
 * The square crop around a face: centre of the detector box, side = `enlarge` (1.4) × its longer side, turned
 * so that the eyes are level when `align` is set (the roll angle from the two eye keypoints).
 */
export function faceCropAffine(
  raw: Box,
  landmarks: Point[],
  align: boolean,
  size = FACERES_SIZE,
  enlarge = CROP_ENLARGE,
): Affine {
  const cx = raw.x + raw.width / 2;
  const cy = raw.y + raw.height / 2;
  const side = Math.max(raw.width, raw.height) * enlarge;
  let angle = 0;
  if (align && landmarks.length >= 2) {
    // landmark 0 is the subject's right eye (image left), 1 the left eye
    angle = Math.atan2(landmarks[1].y - landmarks[0].y, landmarks[1].x - landmarks[0].x);
  }
  const k = side / size;
  const cos = Math.cos(angle) * k;
  const sin = Math.sin(angle) * k;
  // source = centre + R(angle) · (u - size/2, v - size/2) · k
  return {
    ax: cos,
    bx: -sin,
    cx: cx - cos * (size / 2) + sin * (size / 2),
    ay: sin,
    by: cos,
    cy: cy - sin * (size / 2) - cos * (size / 2),
  };
}

export interface Attributes {
  gender: 'male' | 'female';
  /** Probability of the reported gender, 0.5..1. */
  genderScore: number;
  /** Expected age in years: Σ i·p(i) over the 100 one-year bins. */
  age: number;
  /** Inter-quartile range of the age distribution, e.g. `38-43`. */
  ageRange: string;
  /** L2-normalised 1024-d descriptor. */
  descriptor: Float32Array;
}

export function readAge(p: Float32Array | number[]): { age: number; ageRange: string } {
  let sum = 0;
  let mean = 0;
  for (let i = 0; i < p.length; i++) {
    sum += p[i];
    mean += i * p[i];
  }
  mean /= sum;
  const quantile = (q: number) => {
    let acc = 0;
    for (let i = 0; i < p.length; i++) {
      acc += p[i] / sum;
      if (acc >= q) return i;
    }
    return p.length - 1;
  };
  return { age: Math.round(mean * 10) / 10, ageRange: `${quantile(0.25)}-${quantile(0.75)}` };
}

export function readGender(pMale: number): { gender: 'male' | 'female'; genderScore: number } {
  return pMale > 0.5 ? { gender: 'male', genderScore: pMale } : { gender: 'female', genderScore: 1 - pMale };
}

export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / n;
  return out;
}
