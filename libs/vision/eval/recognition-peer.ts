// `nx run vision:recognition-peer`: is a better-known recognition model better on this set? face-api's
// face recognition network (dlib's ResNet, 128-d, 99.38 % on LFW by its authors; converted by
// `nx run model-build:facerec`, checked against face-api's own TF.js network in
// tools/model-build/test/facerec.spec.ts) beside FaceRes, the descriptor the services use, on the
// same faces: every labelled face of ≥ minFaceWidth that libs/vision finds, as in `vision:evaluate`.
// Genuine pairs: two faces of one person (the set's `identity` labels: different photos, or several
// views in one picture); impostor pairs: two different people. face-api's crop (150 × 150 around the
// detector box) is chosen on the tuning split only, then the held-out split is measured.
// Writes results/vision-recognition-peer.{json,md}.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import ort from 'onnxruntime-node';
import {
  DEFAULT_MATCH_THRESHOLD,
  decodeImage,
  faceCropAffine,
  sampleAffine,
  similarity,
  Vision,
} from '@airport-mesh/vision';
import { loadEvaluationSet, type Split } from './ground-truth.js';
import { matchBoxes, rectOf } from './metrics.js';

const SIZE = 150;
/** face-api's own threshold: two descriptors closer than this (Euclidean) are one person. */
const FACEAPI_THRESHOLD = 0.6;
/** The crops tried on the tuning split: the detector box × enlarge, eyes levelled or not. */
const CROPS = [1, 1.15, 1.3].flatMap((enlarge) => [false, true].map((align) => ({ enlarge, align })));

interface FaceRec {
  split: Split;
  id: string;
  identity: string;
  faceres: Float32Array;
  peer: Float32Array[]; // one per CROPS entry
}

const euclidean = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};

/** Genuine and impostor scores of one split, oriented so that higher means "the same person". */
function pairs(faces: FaceRec[], score: (a: FaceRec, b: FaceRec) => number) {
  const genuine: number[] = [];
  const impostor: number[] = [];
  for (let i = 0; i < faces.length; i++)
    for (let j = i + 1; j < faces.length; j++)
      (faces[i].identity === faces[j].identity ? genuine : impostor).push(score(faces[i], faces[j]));
  return { genuine, impostor };
}

/** At `accept` (score ≥ accept is "the same person"): FAR, FRR; and how many genuine pairs beat every impostor. */
function summary(p: { genuine: number[]; impostor: number[] }, accept: number) {
  const worst = Math.max(...p.impostor);
  return {
    genuine: p.genuine.length,
    impostor: p.impostor.length,
    far: p.impostor.filter((s) => s >= accept).length / p.impostor.length,
    frr: p.genuine.filter((s) => s < accept).length / p.genuine.length,
    genuineAboveEveryImpostor: p.genuine.filter((s) => s > worst).length,
  };
}

const { ws, gt, files } = loadEvaluationSet();
const vision = await Vision.load({ threads: 1 });
const peerPath = process.env.VISION_PEER_FACEREC ?? join(ws, 'tools/model-build/dist/peer/facerec.onnx');
const peer = await ort.InferenceSession.create(peerPath, { intraOpNumThreads: 1 });
const faces: FaceRec[] = [];
for (const img of gt.images) {
  if (img.noRecognition || !img.faces.length) continue;
  const bytes = readFileSync(files.get(img.id)!);
  const res = await vision.analyze(bytes);
  const m = matchBoxes(
    res.faces.map((f) => ({ rect: rectOf(f.box), score: f.score })),
    img.faces.map((f) => f.box),
  );
  const rgb = await decodeImage(bytes);
  for (const [j, g] of img.faces.entries()) {
    const d = m.gtToDet[j];
    if (d < 0 || g.box[2] < gt.minFaceWidth) continue;
    const f = res.faces[d];
    const x = new Float32Array(CROPS.length * 3 * SIZE * SIZE);
    CROPS.forEach((c, k) => {
      const a = faceCropAffine(f.box, f.landmarks, c.align, SIZE, c.enlarge);
      const ss = Math.max(1, Math.min(3, Math.round(Math.hypot(a.ax, a.ay) / 1.5)));
      sampleAffine(rgb, x, k * 3 * SIZE * SIZE, SIZE, SIZE, a, 1, 0, ss);
    });
    const out = (await peer.run({ input: new ort.Tensor('float32', x, [CROPS.length, 3, SIZE, SIZE]) })).descriptor
      .data as Float32Array;
    faces.push({
      split: img.split,
      id: `${img.id}#${j}`,
      identity: g.identity ?? `${img.id}#${j}`,
      faceres: f.descriptor,
      peer: CROPS.map((_, k) => out.slice(k * 128, (k + 1) * 128)),
    });
  }
}

const of = (s: Split) => faces.filter((f) => f.split === s);
const faceresPairs = (s: Split) => pairs(of(s), (a, b) => similarity(a.faceres, b.faceres));
// Euclidean distance, negated so that higher means "the same person" like a similarity
const peerPairs = (s: Split, k: number) => pairs(of(s), (a, b) => -euclidean(a.peer[k], b.peer[k]));
// the crop: most tuning genuine pairs above every tuning impostor, then the lowest tuning FRR at 0.6
const tuning = CROPS.map((c, k) => ({ c, k, s: summary(peerPairs('tuning', k), -FACEAPI_THRESHOLD) }));
tuning.sort((a, b) => b.s.genuineAboveEveryImpostor - a.s.genuineAboveEveryImpostor || a.s.frr - b.s.frr || a.k - b.k);
const chosen = tuning[0];

const splits = (['tuning', 'heldout'] as Split[]).map((s) => ({
  split: s,
  faces: of(s).length,
  faceres: summary(faceresPairs(s), DEFAULT_MATCH_THRESHOLD),
  peer: summary(peerPairs(s, chosen.k), -FACEAPI_THRESHOLD),
}));
const result = {
  machine: cpus()[0]?.model,
  peerModel: relative(ws, peerPath),
  crop: chosen.c,
  cropsOnTuning: tuning.map((t) => ({ ...t.c, ...t.s })),
  thresholds: {
    faceres: `cosine similarity ≥ ${DEFAULT_MATCH_THRESHOLD}`,
    peer: `Euclidean distance < ${FACEAPI_THRESHOLD}`,
  },
  splits,
};
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const L = [
  '# Recognition: FaceRes (the services) beside face-api’s ResNet (a peer), on the evaluation set',
  '',
  `\`npx nx run vision:recognition-peer\`; ${result.machine}. Faces: every labelled face of ≥ ${gt.minFaceWidth} px that libs/vision finds. Genuine pairs: two faces of one person; impostor pairs: two people.`,
  `face-api’s crop, chosen on the tuning split: ${chosen.c.enlarge} × the detector box, eyes ${chosen.c.align ? 'levelled' : 'as they are'}.`,
  '',
  '| split | faces | genuine / impostor pairs | FaceRes: FAR / FRR at cosine ≥ 0.72 | FaceRes: genuine pairs above every impostor | face-api: FAR / FRR at distance < 0.6 | face-api: genuine pairs above every impostor |',
  '| --- | --- | --- | --- | --- | --- | --- |',
  ...splits.map(
    (s) =>
      `| ${s.split} | ${s.faces} | ${s.faceres.genuine} / ${s.faceres.impostor} | ${pct(s.faceres.far)} / ${pct(s.faceres.frr)} | ${s.faceres.genuineAboveEveryImpostor} of ${s.faceres.genuine} | ${pct(s.peer.far)} / ${pct(s.peer.frr)} | ${s.peer.genuineAboveEveryImpostor} of ${s.peer.genuine} |`,
  ),
  '',
  'face-api’s crops on the tuning split (the first row is chosen):',
  '',
  '| enlarge | eyes levelled | genuine pairs above every impostor | FAR / FRR at distance < 0.6 |',
  '| --- | --- | --- | --- |',
  ...tuning.map(
    (t) =>
      `| ${t.c.enlarge} | ${t.c.align ? 'yes' : 'no'} | ${t.s.genuineAboveEveryImpostor} of ${t.s.genuine} | ${pct(t.s.far)} / ${pct(t.s.frr)} |`,
  ),
];
const md = `${L.join('\n')}\n`;
mkdirSync(join(ws, 'results'), { recursive: true });
writeFileSync(join(ws, 'results/vision-recognition-peer.json'), `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(join(ws, 'results/vision-recognition-peer.md'), md);
console.log(md);
