// The evaluation set: eval/ground-truth.json (labels, sources, licences, splits) and its images,
// installed from Debian's and npm's packages into a cache on first use (fetch.ts).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchImages, type ImageRef, type Source } from './fetch.js';
import type { Rect } from './metrics.js';

export interface GtFace {
  box: Rect;
  gender?: 'male' | 'female';
  /** Age band judged by eye, [lo, hi] years. */
  age?: [number, number];
  /** Faces with the same identity are one person (across photos of this set). */
  identity?: string;
  note?: string;
}

export type Split = 'tuning' | 'heldout';

export interface GtImage extends ImageRef {
  split: Split;
  kind: 'people' | 'negative';
  /** people: portrait, group, crowd, partial, occluded; negative: animal, round, food, object, depiction, scene */
  category: string;
  /** persons visible in the image (with or without a visible face) */
  people: number;
  faces: GtFace[];
  /** pictures of faces (paintings, prints, statues, renders): a detection there is neither a hit nor a false positive of a person */
  depicted?: Rect[];
  /**
   * Regions whose faces are too small or too many to label (the photo thumbnails of a screenshot):
   * a detection centred in one is neither a hit nor a false positive, and is not counted as found.
   */
  ignore?: Rect[];
  /** why the image's faces are left out of recognition (e.g. one person in many cells, identities not labelled) */
  noRecognition?: string;
  description: string;
}

export interface GroundTruth {
  minFaceWidth: number;
  hardNegativeCategories: string[];
  sources: Record<string, Source>;
  images: GtImage[];
}

const here = dirname(fileURLToPath(import.meta.url));

export function workspaceRoot(): string {
  let dir = here;
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('no nx.json above the evaluation tool');
    dir = up;
  }
  return dir;
}

/** The labels and the path of every image (fetched into VISION_EVAL_CACHE, default <workspace>/tmp/vision-eval). */
export function loadEvaluationSet(): { ws: string; gt: GroundTruth; files: Map<string, string> } {
  const ws = workspaceRoot();
  const gt = JSON.parse(readFileSync(join(here, '..', 'ground-truth.json'), 'utf8')) as GroundTruth;
  const cacheDir = resolve(process.env.VISION_EVAL_CACHE ?? join(ws, 'tmp', 'vision-eval'));
  const files = fetchImages(gt.images, gt.sources, { cacheDir, workspace: ws });
  return { ws, gt, files };
}
