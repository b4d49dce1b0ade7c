// `nx run vision:tune -- '<options as JSON>' …`: face detection on the TUNING split only, once per
// given set of Vision options (the defaults first), so that a threshold or a detector setting is
// chosen where the evaluation allows it. It never opens a held-out image: what it prints cannot leak
// the held-out split into a choice. Per setting: face precision (IoU ≥ 0.5), recall on faces
// ≥ minFaceWidth, hard negatives with a face, every false positive (detector score / face flag and
// its box) and every missed labelled face (its index in the image's labels and its box). Then, for
// the second stage's MIRROR_SKIP_FLAG: every detector candidate of score ≥ 0.3 (whole frame and tiles)
// with the FaceMesh flag of its crop and of its mirror image, and how many decisions skipping the
// mirror above the bar would change.
//
//   npx nx run vision:tune -- '{"minScore":0.45}' '{"minScore":0.4}' '{"tiling":"always"}'
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import {
  cropAndMirrorFlags,
  decodeImage,
  DEFAULT_MIN_FACE_CONFIDENCE,
  defaultModelsDir,
  MIRROR_SKIP_FLAG,
  MODEL_FILES,
  Vision,
  type VisionOptions,
} from '@airport-mesh/vision';
import { loadEvaluationSet } from './ground-truth.js';
import { judge, rectOf } from './metrics.js';

export interface TuningScore {
  options: VisionOptions;
  truePositives: number;
  falsePositives: number;
  precision: number;
  /** hits / labelled faces at least minFaceWidth wide */
  recall: { hits: number; faces: number; value: number };
  hardNegativesWithFaces: string[];
  /** image@detector score/face flag[x,y,w,h] of each false positive */
  falsePositiveList: string[];
  /** image#face[x,y,w,h] of each labelled face ≥ minFaceWidth that no detection matched */
  missedList: string[];
}

async function main(): Promise<void> {
  const settings: VisionOptions[] = [{}];
  for (const arg of process.argv.slice(2)) {
    try {
      settings.push(JSON.parse(arg) as VisionOptions);
    } catch {
      throw new Error(`each argument is one set of Vision options as JSON, e.g. '{"minScore":0.45}', not ${arg}`);
    }
  }
  const { gt, files } = loadEvaluationSet();
  const images = gt.images.filter((i) => i.split === 'tuning');
  for (const options of settings) {
    const vision = await Vision.load({ threads: 1, ...options });
    const score: TuningScore = {
      options,
      truePositives: 0,
      falsePositives: 0,
      precision: 1,
      recall: { hits: 0, faces: 0, value: 1 },
      hardNegativesWithFaces: [],
      falsePositiveList: [],
      missedList: [],
    };
    for (const img of images) {
      const res = await vision.detect(readFileSync(files.get(img.id)!));
      const dets = res.faces.map((f) => ({
        rect: rectOf(f.box),
        score: f.score,
      }));
      const j = judge(dets, { faces: img.faces.map((f) => f.box), depicted: img.depicted, ignore: img.ignore });
      score.truePositives += j.match.detToGt.filter((g) => g >= 0).length;
      res.faces.forEach((f, i) => {
        if (!j.falsePositive[i]) return;
        score.falsePositives++;
        const b = [f.box.x, f.box.y, f.box.width, f.box.height].map(Math.round).join(',');
        score.falsePositiveList.push(`${img.id}@${f.score.toFixed(2)}/${f.faceConfidence?.toFixed(2) ?? '-'}[${b}]`);
      });
      img.faces.forEach((f, k) => {
        if (f.box[2] < gt.minFaceWidth) return;
        score.recall.faces++;
        if (j.match.gtToDet[k] >= 0) score.recall.hits++;
        else score.missedList.push(`${img.id}#${k}[${f.box.join(',')}]`);
      });
      if (img.kind === 'negative' && gt.hardNegativeCategories.includes(img.category) && res.faces.length)
        score.hardNegativesWithFaces.push(img.id);
    }
    const found = score.truePositives + score.falsePositives;
    score.precision = found ? score.truePositives / found : 1;
    score.recall.value = score.recall.faces ? score.recall.hits / score.recall.faces : 1;
    console.log(
      `${JSON.stringify(options)}: tuning precision ${score.precision.toFixed(3)} (${score.truePositives} / ${found}), ` +
        `recall ≥ ${gt.minFaceWidth} px ${score.recall.value.toFixed(3)} (${score.recall.hits} / ${score.recall.faces}), ` +
        `hard negatives with a face: ${score.hardNegativesWithFaces.join(', ') || 'none'}\n` +
        `  false positives: ${score.falsePositiveList.join(' ') || 'none'}\n` +
        `  missed (≥ ${gt.minFaceWidth} px): ${score.missedList.join(' ') || 'none'}`,
    );
  }

  // the mirror skip: both flags of every candidate, and the decisions skipping the mirror would change
  const candidates = await Vision.load({ threads: 1, minScore: 0.3, confirm: 'none' });
  const facemesh = await ort.InferenceSession.create(join(defaultModelsDir(), MODEL_FILES.facemesh), {
    intraOpNumThreads: 1,
  });
  let n = 0;
  let sure = 0;
  const changed: string[] = [];
  const sureButMirrorLow: string[] = [];
  for (const img of images) {
    const rgb = await decodeImage(readFileSync(files.get(img.id)!));
    const boxes = (await candidates.detect(rgb)).faces.map((f) => ({ raw: f.box, landmarks: f.landmarks }));
    const { crop, mirror } = await cropAndMirrorFlags(facemesh, rgb, boxes);
    for (let i = 0; i < boxes.length; i++) {
      n++;
      if (crop[i] < MIRROR_SKIP_FLAG) continue;
      sure++;
      const flags = `${img.id}: ${crop[i].toFixed(3)}/${mirror[i].toFixed(3)}`;
      if (mirror[i] < 0.5) sureButMirrorLow.push(flags);
      if ((crop[i] + mirror[i]) / 2 < DEFAULT_MIN_FACE_CONFIDENCE) changed.push(flags);
    }
  }
  console.log(
    `mirror skip (MIRROR_SKIP_FLAG ${MIRROR_SKIP_FLAG}): ${n} candidates at detector score ≥ 0.3 on the tuning split, ` +
      `${sure} with a crop flag ≥ ${MIRROR_SKIP_FLAG}; of those, mirror flag < 0.5: ${sureButMirrorLow.join('; ') || 'none'}; ` +
      `decisions changed by skipping the mirror: ${changed.join('; ') || 'none'}`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
