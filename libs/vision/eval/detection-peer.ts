// `nx run vision:detection-peer`: would the other face detector the project's npm packages ship meet
// issue 12's bars, alone or beside libs/vision? face-api's SSD MobileNet v1 (trained on WIDER FACE by
// face-api's author; `@vladmandic/face-api`'s `model/ssd_mobilenetv1_model.*`), run by face-api
// itself on TensorFlow.js' WASM backend, on the same decoded frames as libs/vision, judged by the same
// rules as `vision:evaluate` (IoU ≥ 0.5, depictions and ignored regions apart):
//   * the peer alone at face-api's default minConfidence (0.5) and at 0.3 and 0.7;
//   * the union of libs/vision's faces (its defaults, as the services run) and the peer's boxes at
//     each of those thresholds: a labelled face counts as found when either finds it. A fusion of the
//     two detectors that keeps only boxes one of them gives can find no more than this union.
// Dev only, like `vision:recognition-peer`. Writes results/vision-detection-peer.{json,md}.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeImage, Vision } from '@airport-mesh/vision';
import { findNpmPackage } from './fetch.js';
import { loadEvaluationSet, type GtImage, type Split } from './ground-truth.js';
import { iou, judge, rectOf, type Rect } from './metrics.js';

const THRESHOLDS = [0.3, 0.5, 0.7];
/** The peer is asked for boxes down to this score, to show how close it came to a face every row misses. */
const FLOOR = 0.05;

interface Tf {
  setBackend(b: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  tensor3d(v: Int32Array, shape: [number, number, number], dtype: 'int32'): { dispose(): void };
}
interface FaceApi {
  nets: { ssdMobilenetv1: { loadFromDisk(dir: string): Promise<void> } };
  SsdMobilenetv1Options: new (o: { minConfidence: number; maxResults: number }) => unknown;
  detectAllFaces(
    input: unknown,
    options: unknown,
  ): Promise<{ score: number; box: { x: number; y: number; width: number; height: number } }[]>;
}

interface Scored {
  rect: Rect;
  score: number;
}
interface PerImage {
  img: GtImage;
  ours: Scored[];
  peer: Scored[];
  peerMs: number;
}

const { ws, gt, files } = loadEvaluationSet();
const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs') as Tf;
const wasm = require('@tensorflow/tfjs-backend-wasm') as {
  setWasmPaths(p: string): void;
  setThreadsCount(n: number): void;
};
const faceApiDir = findNpmPackage('@vladmandic/face-api', ws);
// the Node build that takes the @tensorflow/tfjs installed beside it
const faceapi = require(join(faceApiDir, 'dist/face-api.node-wasm.js')) as FaceApi;
wasm.setWasmPaths(join(findNpmPackage('@tensorflow/tfjs-backend-wasm', ws), 'dist') + '/');
wasm.setThreadsCount(1);
await tf.setBackend('wasm');
await tf.ready();
await faceapi.nets.ssdMobilenetv1.loadFromDisk(join(faceApiDir, 'model'));
const peerOptions = new faceapi.SsdMobilenetv1Options({ minConfidence: FLOOR, maxResults: 300 });
const vision = await Vision.load({ threads: 1 });

const seen: PerImage[] = [];
for (const img of gt.images) {
  // decoded once, as vision.decode does it: both detectors see the same pixels
  const rgb = await decodeImage(readFileSync(files.get(img.id)!), vision.maxPixels);
  const ours = (await vision.detect(rgb)).faces.map((f) => ({ rect: rectOf(f.box), score: f.score }));
  const t = tf.tensor3d(Int32Array.from(rgb.data), [rgb.height, rgb.width, 3], 'int32');
  const t0 = performance.now();
  const found = await faceapi.detectAllFaces(t, peerOptions);
  const peerMs = performance.now() - t0;
  t.dispose();
  seen.push({ img, ours, peer: found.map((d) => ({ rect: rectOf(d.box), score: d.score })), peerMs });
  console.log(
    `${img.split} ${img.id}: libs/vision ${ours.length}, peer ${found.filter((d) => d.score >= 0.5).length} (${peerMs.toFixed(0)} ms)`,
  );
}

/** Which labelled faces a detector finds on one image, and its false positives there. */
function outcome(img: GtImage, dets: Scored[]) {
  const j = judge(dets, { faces: img.faces.map((f) => f.box), depicted: img.depicted, ignore: img.ignore });
  return {
    found: img.faces.map((_, k) => j.match.gtToDet[k] >= 0),
    hits: j.match.detToGt.filter((g) => g >= 0).length,
    falsePositives: j.falsePositive.filter(Boolean).length,
    counted: dets.length - j.ignored.filter(Boolean).length,
  };
}

type Who = 'libs/vision' | `peer ≥ ${number}` | `libs/vision ∪ peer ≥ ${number}`;

function measure(split: Split, who: Who, pick: (p: PerImage) => ReturnType<typeof outcome>) {
  let tp = 0;
  let fp = 0;
  let big = 0;
  let bigFound = 0;
  const missed: string[] = [];
  const hardWithFace: string[] = [];
  for (const p of seen.filter((s) => s.img.split === split)) {
    const o = pick(p);
    tp += o.hits;
    fp += o.falsePositives;
    p.img.faces.forEach((f, k) => {
      if (f.box[2] < gt.minFaceWidth) return;
      big++;
      if (o.found[k]) bigFound++;
      else missed.push(`${p.img.id} ${f.box.join(',')}${f.note ? ` (${f.note})` : ''}`);
    });
    if (gt.hardNegativeCategories.includes(p.img.category) && p.img.kind === 'negative' && o.counted > 0)
      hardWithFace.push(p.img.id);
  }
  return {
    split,
    detector: who,
    precision: tp + fp ? tp / (tp + fp) : 1,
    truePositives: tp,
    falsePositives: fp,
    recallAtLeastMinWidth: big ? bigFound / big : 1,
    foundAtLeastMinWidth: bigFound,
    labelledAtLeastMinWidth: big,
    hardNegativesWithFaces: hardWithFace,
    missedAtLeastMinWidth: missed,
  };
}

const rows = (['tuning', 'heldout'] as Split[]).flatMap((split) => [
  measure(split, 'libs/vision', (p) => outcome(p.img, p.ours)),
  ...THRESHOLDS.map((th) =>
    measure(split, `peer ≥ ${th}`, (p) =>
      outcome(
        p.img,
        p.peer.filter((d) => d.score >= th),
      ),
    ),
  ),
  ...THRESHOLDS.map((th) =>
    measure(split, `libs/vision ∪ peer ≥ ${th}`, (p) => {
      const a = outcome(p.img, p.ours);
      const peerBoxes = p.peer.filter((d) => d.score >= th);
      const b = outcome(p.img, peerBoxes);
      // a peer box that overlaps one of ours by more than the pipeline's NMS threshold (IoU 0.3) is the same face
      const extra = peerBoxes.filter((d) => !p.ours.some((o) => iou(o.rect, d.rect) > 0.3));
      const e = outcome(p.img, extra);
      const found = a.found.map((x, k) => x || b.found[k]);
      return {
        found,
        hits: found.filter(Boolean).length,
        falsePositives: a.falsePositives + e.falsePositives,
        counted: a.counted + e.counted,
      };
    }),
  ),
]);

// faces ≥ minFaceWidth that no row of their split finds: the peer's best box on each (IoU ≥ 0.5, any score ≥ FLOOR)
const nowhere = (['tuning', 'heldout'] as Split[]).flatMap((split) =>
  seen
    .filter((p) => p.img.split === split)
    .flatMap((p) =>
      p.img.faces.flatMap((f) => {
        if (f.box[2] < gt.minFaceWidth) return [];
        const label = `${p.img.id} ${f.box.join(',')}`;
        if (
          !rows
            .filter((r) => r.split === split)
            .every((r) => r.missedAtLeastMinWidth.some((m) => m === label || m.startsWith(`${label} (`)))
        )
          return [];
        const best = Math.max(0, ...p.peer.filter((d) => iou(d.rect, f.box) >= 0.5).map((d) => d.score));
        return [
          { split, face: `${label}${f.note ? ` (${f.note})` : ''}`, peerBestScore: best ? +best.toFixed(3) : null },
        ];
      }),
    ),
);

const ms = seen.map((s) => s.peerMs).sort((a, b) => a - b);
const result = {
  machine: cpus()[0]?.model,
  peer: {
    model: '@vladmandic/face-api ssd_mobilenetv1 (face-api’s SsdMobilenetv1, 512 × 512 input)',
    runtime: `TensorFlow.js ${tf.getBackend()} backend, one thread`,
    medianMsPerImage: Math.round(ms[Math.floor(ms.length / 2)]),
  },
  bars: { precision: 0.98, recall: 0.95 },
  rows,
  missedByEveryRow: nowhere,
};
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const L = [
  '# Detection: libs/vision beside face-api’s SSD MobileNet v1 (a peer), on the evaluation set',
  '',
  `\`npx nx run vision:detection-peer\`; ${result.machine}. The peer: ${result.peer.model} on ${result.peer.runtime}, median ${result.peer.medianMsPerImage} ms per image. libs/vision: its defaults, as the services run.`,
  `Judged as \`vision:evaluate\` judges (IoU ≥ 0.5; depictions and ignored regions counted neither way). “∪”: a labelled face is found when either finds it, and a peer box overlapping none of libs/vision’s boxes (IoU ≤ 0.3) is added. So with libs/vision at its defaults, no fusion that keeps only boxes the peer gives at that threshold (a second stage on them included) can find more faces than its ∪ row.`,
  '',
  `| split | detector | precision | recall, faces ≥ ${gt.minFaceWidth} px | hard negatives with a face | faces ≥ ${gt.minFaceWidth} px missed |`,
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.split} | ${r.detector} | ${pct(r.precision)} (${r.truePositives} / ${r.truePositives + r.falsePositives}) | ${pct(r.recallAtLeastMinWidth)} (${r.foundAtLeastMinWidth} / ${r.labelledAtLeastMinWidth}) | ${r.hardNegativesWithFaces.length ? r.hardNegativesWithFaces.join(', ') : '0'} | ${r.split === 'heldout' ? r.missedAtLeastMinWidth.join('; ') || '–' : r.missedAtLeastMinWidth.length} |`,
  ),
];
L.push(
  '',
  `Faces ≥ ${gt.minFaceWidth} px that no row finds, and the peer’s best box on each (IoU ≥ 0.5, asked down to ${FLOOR}):`,
  '',
  '| split | face | peer’s best score |',
  '| --- | --- | --- |',
  ...nowhere.map((n) => `| ${n.split} | ${n.face} | ${n.peerBestScore ?? `no box ≥ ${FLOOR}`} |`),
);
const md = `${L.join('\n')}\n`;
mkdirSync(join(ws, 'results'), { recursive: true });
writeFileSync(join(ws, 'results/vision-detection-peer.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(ws, 'results/vision-detection-peer.md'), md);
console.log(md);
