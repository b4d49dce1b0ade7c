// Scoring detections against labelled boxes, and recognition pairs into a ROC. Pure functions,
// unit-tested in test/eval-metrics.spec.ts.

/** x, y, width, height in source pixels. */
export type Rect = [number, number, number, number];

export function iou(a: Rect, b: Rect): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

export interface MatchResult {
  /** for each detection, the index of the labelled face it matched, or -1 */
  detToGt: number[];
  /** for each labelled face, the index of the detection that matched it, or -1 */
  gtToDet: number[];
}

/**
 * Greedy matching, highest detector score first: each detection takes the unmatched labelled face
 * with the highest IoU, if that IoU reaches `minIou` (0.5, as in PASCAL VOC and WIDER FACE).
 */
export function matchBoxes(dets: { rect: Rect; score: number }[], gt: Rect[], minIou = 0.5): MatchResult {
  const order = dets.map((_, i) => i).sort((a, b) => dets[b].score - dets[a].score);
  const detToGt = dets.map(() => -1);
  const gtToDet = gt.map(() => -1);
  for (const d of order) {
    let best = -1;
    let bestIou = minIou;
    gt.forEach((g, j) => {
      if (gtToDet[j] !== -1) return;
      const v = iou(dets[d].rect, g);
      if (v >= bestIou) {
        best = j;
        bestIou = v;
      }
    });
    if (best >= 0) {
      detToGt[d] = best;
      gtToDet[best] = d;
    }
  }
  return { detToGt, gtToDet };
}

/** A Vision box as a Rect. */
export const rectOf = (b: { x: number; y: number; width: number; height: number }): Rect => [
  b.x,
  b.y,
  b.width,
  b.height,
];

/** True when the centre of `box` lies in one of `regions`. */
export function centredIn(box: Rect, regions: Rect[]): boolean {
  const cx = box[0] + box[2] / 2;
  const cy = box[1] + box[3] / 2;
  return regions.some((z) => cx >= z[0] && cx <= z[0] + z[2] && cy >= z[1] && cy <= z[1] + z[3]);
}

/** What an image's labels say about its detections. */
export interface Judgement {
  match: MatchResult;
  /** per detection: it matched no labelled face but a depicted one (painting, print, statue; IoU ≥ 0.3) */
  onDepiction: boolean[];
  /** per detection: it matched nothing and is centred in an ignored region (not counted at all) */
  ignored: boolean[];
  /** per detection: none of the above, a false positive */
  falsePositive: boolean[];
}

/**
 * Detections judged against an image's labels: hits on labelled faces (IoU ≥ 0.5), then on depicted
 * faces (IoU ≥ 0.3), then those centred in an ignored region; the rest are false positives.
 */
export function judge(
  dets: { rect: Rect; score: number }[],
  labels: { faces: Rect[]; depicted?: Rect[]; ignore?: Rect[] },
): Judgement {
  const match = matchBoxes(dets, labels.faces);
  const dm = matchBoxes(
    dets.map((d, i) => (match.detToGt[i] >= 0 ? { ...d, rect: [0, 0, 0, 0] as Rect } : d)),
    labels.depicted ?? [],
    0.3,
  );
  const onDepiction = dets.map((_, i) => dm.detToGt[i] >= 0);
  const ignored = dets.map((d, i) => match.detToGt[i] < 0 && !onDepiction[i] && centredIn(d.rect, labels.ignore ?? []));
  const falsePositive = dets.map((_, i) => match.detToGt[i] < 0 && !onDepiction[i] && !ignored[i]);
  return { match, onDepiction, ignored, falsePositive };
}

/** Distance in years from a predicted age to a labelled band [lo, hi] (0 inside the band). */
export function ageError(pred: number, band: [number, number]): number {
  return pred < band[0] ? band[0] - pred : pred > band[1] ? pred - band[1] : 0;
}

export interface RocPoint {
  threshold: number;
  /** impostor pairs at or above the threshold / impostor pairs */
  far: number;
  /** genuine pairs below the threshold / genuine pairs */
  frr: number;
}

/** FAR and FRR at thresholds 0.00, 0.01 … 1.00 (a pair is accepted when similarity ≥ threshold). */
export function roc(genuine: number[], impostor: number[]): RocPoint[] {
  const out: RocPoint[] = [];
  for (let k = 0; k <= 100; k++) {
    const t = k / 100;
    out.push({ threshold: t, ...rates(genuine, impostor, t) });
  }
  return out;
}

export function rates(genuine: number[], impostor: number[], threshold: number): { far: number; frr: number } {
  const far = impostor.length ? impostor.filter((s) => s >= threshold).length / impostor.length : 0;
  const frr = genuine.length ? genuine.filter((s) => s < threshold).length / genuine.length : 0;
  return { far, frr };
}

/** Area under the ROC (probability that a random genuine pair scores above a random impostor pair). */
export function auc(genuine: number[], impostor: number[]): number {
  if (!genuine.length || !impostor.length) return NaN;
  let wins = 0;
  for (const g of genuine) for (const i of impostor) wins += g > i ? 1 : g === i ? 0.5 : 0;
  return wins / (genuine.length * impostor.length);
}

/** Equal error rate: the ROC point where FAR and FRR are closest. */
export function eer(points: RocPoint[]): RocPoint {
  return points.reduce((best, p) => (Math.abs(p.far - p.frr) < Math.abs(best.far - best.frr) ? p : best));
}
