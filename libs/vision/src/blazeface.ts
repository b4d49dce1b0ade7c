// BlazeFace (MediaPipe, the 256×256 "back camera" variant shipped by @vladmandic/human): anchors,
// box decoding and non-maximum suppression, as human's src/face/blazeface.ts and facemeshutil.ts
// do it (anchor centres at (cell + 0.5) · stride, offsets and sizes in input pixels).
import type { Affine } from './image.js';

export const DETECTOR_SIZE = 256;
const STRIDES = [16, 32];
const ANCHORS_PER_CELL = [2, 6];

/** Anchor centres in input pixels, in the order of the model's outputs (stride 16 first). */
export function generateAnchors(size = DETECTOR_SIZE): Float32Array {
  const out: number[] = [];
  for (let s = 0; s < STRIDES.length; s++) {
    const stride = STRIDES[s];
    const cells = Math.ceil(size / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let n = 0; n < ANCHORS_PER_CELL[s]; n++) out.push(stride * (x + 0.5), stride * (y + 0.5));
      }
    }
  }
  return Float32Array.from(out);
}

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A detection in source-image pixels. */
export interface Detection {
  box: Box;
  score: number;
  /** right eye, left eye, nose, mouth, right ear, left ear (the subject's right/left). */
  landmarks: Point[];
}

/**
 * Letterbox: the whole frame scaled into the square input, aspect kept, centred on whole pixels,
 * black bars. The frame occupies width×height pixels at (offX, offY).
 */
export interface Letterbox {
  scaleX: number;
  scaleY: number;
  offX: number;
  offY: number;
  width: number;
  height: number;
}

export function letterbox(img: { width: number; height: number }, size = DETECTOR_SIZE): Letterbox {
  const scale = Math.min(size / img.width, size / img.height);
  const width = Math.max(1, Math.min(size, Math.round(img.width * scale)));
  const height = Math.max(1, Math.min(size, Math.round(img.height * scale)));
  const offX = Math.floor((size - width) / 2);
  const offY = Math.floor((size - height) / 2);
  return { scaleX: width / img.width, scaleY: height / img.height, offX, offY, width, height };
}

/** Map from the detector input to the (already resized) width×height image. */
export function letterboxAffine(lb: Letterbox): Affine {
  return { ax: 1, bx: 0, cx: -lb.offX, ay: 0, by: 1, cy: -lb.offY };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** A scored box before non-maximum suppression, in source-image pixels. */
export interface Candidate {
  score: number;
  /** x1, y1, x2, y2 then 6 keypoints x,y — all in source-image pixels */
  coords: Float64Array;
}

/** Intersection over union of two x1, y1, x2, y2 boxes (the first four coords of a candidate). */
export function iou(a: Float64Array, b: Float64Array): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return union > 0 ? inter / union : 0;
}

/** The share of box a's area that lies inside box b (x1, y1, x2, y2 coords). */
export function insideShare(a: Float64Array, b: Float64Array): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const area = (a[2] - a[0]) * (a[3] - a[1]);
  return area > 0 ? (ix * iy) / area : 0;
}

export interface DecodeOptions {
  /** Minimum face probability (sigmoid of the logit). */
  minScore: number;
  /** IoU above which two boxes are the same face. */
  iouThreshold: number;
  /** 'weighted' (MediaPipe's blending: overlapping boxes averaged by score) or 'hard' (classic NMS). */
  nms: 'weighted' | 'hard';
  maxFaces: number;
}

/**
 * Where one detector input came from: source point = (input point − off) / scale. The full frame's
 * letterbox is one such view; a tile of the frame (section "Tiles" in docs/vision.md) is another.
 */
export interface InputView {
  scaleX: number;
  scaleY: number;
  offX: number;
  offY: number;
}

/**
 * Decodes the four BlazeFace outputs (scores and 16-value regressors for the stride-16 and
 * stride-32 anchors) of one detector input into candidates in source-image pixels, every anchor
 * scoring at least `minScore`, before non-maximum suppression.
 */
export function decodeCandidates(
  scores: [Float32Array, Float32Array],
  boxes: [Float32Array, Float32Array],
  anchors: Float32Array,
  view: InputView,
  minScore: number,
): Candidate[] {
  const logitMin = Math.log(minScore / (1 - minScore));
  const cands: Candidate[] = [];
  const sx = (v: number) => (v - view.offX) / view.scaleX;
  const sy = (v: number) => (v - view.offY) / view.scaleY;
  let a = 0;
  for (let part = 0; part < 2; part++) {
    const s = scores[part];
    const r = boxes[part];
    for (let i = 0; i < s.length; i++, a++) {
      if (s[i] < logitMin) continue;
      const ax = anchors[2 * a];
      const ay = anchors[2 * a + 1];
      const o = i * 16;
      const cx = r[o] + ax;
      const cy = r[o + 1] + ay;
      const w = r[o + 2];
      const h = r[o + 3];
      const c = new Float64Array(16);
      c[0] = sx(cx - w / 2);
      c[1] = sy(cy - h / 2);
      c[2] = sx(cx + w / 2);
      c[3] = sy(cy + h / 2);
      for (let k = 0; k < 6; k++) {
        c[4 + 2 * k] = sx(r[o + 4 + 2 * k] + ax);
        c[5 + 2 * k] = sy(r[o + 5 + 2 * k] + ay);
      }
      cands.push({ score: sigmoid(s[i]), coords: c });
    }
  }
  return cands;
}

/** Non-maximum suppression (weighted or hard) of candidates from one or several detector inputs. */
export function suppress(candidates: Candidate[], opt: Omit<DecodeOptions, 'minScore'>): Candidate[] {
  const cands = [...candidates].sort((p, q) => q.score - p.score);
  const kept: Candidate[] = [];
  const used = new Uint8Array(cands.length);
  for (let i = 0; i < cands.length && kept.length < opt.maxFaces; i++) {
    if (used[i]) continue;
    const top = cands[i];
    if (opt.nms === 'hard') {
      if (kept.some((k) => iou(k.coords, top.coords) > opt.iouThreshold)) continue;
      kept.push(top);
      continue;
    }
    // weighted: blend every remaining candidate overlapping the top one, weights = scores
    const acc = new Float64Array(16);
    let wsum = 0;
    for (let j = i; j < cands.length; j++) {
      if (used[j] || iou(top.coords, cands[j].coords) <= opt.iouThreshold) continue;
      used[j] = 1;
      const w = cands[j].score;
      for (let k = 0; k < 16; k++) acc[k] += cands[j].coords[k] * w;
      wsum += w;
    }
    for (let k = 0; k < 16; k++) acc[k] /= wsum;
    kept.push({ score: top.score, coords: acc });
  }
  return kept;
}

/** Kept candidates as detections: `box` clamped to the image, `raw` as the detector placed it. */
export function toDetections(kept: Candidate[], img: { width: number; height: number }): (Detection & { raw: Box })[] {
  return kept.map((k) => {
    const c = k.coords;
    const x1 = Math.max(0, c[0]);
    const y1 = Math.max(0, c[1]);
    const x2 = Math.min(img.width, c[2]);
    const y2 = Math.min(img.height, c[3]);
    return {
      box: { x: x1, y: y1, width: Math.max(0, x2 - x1), height: Math.max(0, y2 - y1) },
      raw: { x: c[0], y: c[1], width: c[2] - c[0], height: c[3] - c[1] },
      score: k.score,
      landmarks: Array.from({ length: 6 }, (_, n) => ({ x: c[4 + 2 * n], y: c[5 + 2 * n] })),
    };
  });
}

/**
 * Decodes the four BlazeFace outputs of the letterboxed frame into detections in source-image
 * pixels (candidates ≥ minScore, then non-maximum suppression).
 */
export function decodeDetections(
  scores: [Float32Array, Float32Array],
  boxes: [Float32Array, Float32Array],
  anchors: Float32Array,
  lb: Letterbox,
  img: { width: number; height: number },
  opt: DecodeOptions,
): (Detection & { raw: Box })[] {
  return toDetections(suppress(decodeCandidates(scores, boxes, anchors, lb, opt.minScore), opt), img);
}

/** A square region of the source image that is run through the detector on its own. */
export interface Tile {
  x: number;
  y: number;
  size: number;
}

/**
 * Overlapping square tiles of side `size` covering the image, neighbours overlapping by at least
 * `overlap` · size; the last tile of a row or column is flush with the image edge. An image side
 * shorter than `size` gets one tile that starts at 0 (the rest is black padding, as in the letterbox).
 */
export function tilePlan(img: { width: number; height: number }, size: number, overlap: number): Tile[] {
  const starts = (len: number): number[] => {
    if (len <= size) return [0];
    const n = Math.ceil((len - size) / (size * (1 - overlap))) + 1;
    const step = (len - size) / (n - 1);
    return Array.from({ length: n }, (_, i) => Math.round(i * step));
  };
  const xs = starts(img.width);
  const ys = starts(img.height);
  return ys.flatMap((y) => xs.map((x) => ({ x, y, size })));
}

/**
 * True when a candidate found in `tile` touches one of the tile's inner edges (an edge that is not
 * the image's own edge): the face is cut there, and an overlapping tile or the full frame sees it whole.
 */
export function cutByTile(c: Candidate, tile: Tile, img: { width: number; height: number }, margin: number): boolean {
  const [x1, y1, x2, y2] = c.coords;
  return (
    (tile.x > 0 && x1 < tile.x + margin) ||
    (tile.y > 0 && y1 < tile.y + margin) ||
    (tile.x + tile.size < img.width && x2 > tile.x + tile.size - margin) ||
    (tile.y + tile.size < img.height && y2 > tile.y + tile.size - margin)
  );
}
