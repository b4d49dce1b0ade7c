// The models this project converts, where they come from and how their outputs are named.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface ModelSpec {
  /** ONNX file stem in dist/models. */
  name: 'blazeface' | 'faceres' | 'facemesh';
  /** model.json inside @vladmandic/human. */
  source: string;
  /** TF signature tensor → ONNX output name; only these outputs (and what they depend on) are converted. */
  outputNames: Record<string, string>;
  /** What the runtime has to feed (documented in the metadata JSON). */
  inputNormalization: string;
  extra?: Record<string, unknown>;
}

export const MODELS: ModelSpec[] = [
  {
    name: 'blazeface',
    source: 'models/blazeface.json',
    // human sorts these four outputs by size: 512×1 and 512×16 are the stride-16 anchors
    // (16×16 cells × 2), 384×1 and 384×16 the stride-32 ones (8×8 cells × 6)
    outputNames: {
      'Identity:0': 'scores_stride16',
      'Identity_1:0': 'scores_stride32',
      'Identity_2:0': 'boxes_stride16',
      'Identity_3:0': 'boxes_stride32',
    },
    inputNormalization: 'RGB, x / 127.5 - 1 (range -1..1), 256×256, NCHW',
    extra: {
      anchors: {
        inputSize: 256,
        strides: [16, 32],
        anchorsPerCell: [2, 6],
        order: 'stride16 cells row-major then stride32',
      },
      boxEncoding:
        '16 values per anchor: cx, cy, w, h (pixels of the 256 input, cx/cy relative to the anchor centre), then 6 keypoints x,y',
      scoreEncoding: 'logit; sigmoid gives the face probability',
    },
  },
  {
    name: 'faceres',
    source: 'models/faceres.json',
    outputNames: {
      'gender_pred/Sigmoid:0': 'gender',
      'age_pred/Softmax:0': 'age',
      'global_pooling/Mean': 'descriptor',
    },
    inputNormalization: 'RGB, 0..255 float, 224×224 face crop, NCHW, batch dimension dynamic',
    extra: {
      gender: 'sigmoid; > 0.5 is male',
      age: 'softmax over 100 one-year bins (index = age in years)',
      descriptor: '1024-d global average pooling of the last MobileNet block (not normalised)',
    },
  },
  {
    // MediaPipe FaceMesh: libs/vision uses its face flag as the second stage that confirms each
    // BlazeFace box (an animal, a fruit or a cup gets a low flag; see docs/vision.md)
    name: 'facemesh',
    source: 'models/facemesh.json',
    // Only the face flag is converted: the mesh and contour heads, most of the weights, are left out
    // (the build prints the smaller file; parity.spec.ts checks the flag against TF.js).
    outputNames: { 'Identity_1:0': 'faceflag' },
    inputNormalization: 'RGB, x / 255 (range 0..1), 192×192 face crop, NCHW, batch dimension dynamic',
    extra: {
      faceflag: 'sigmoid; probability that the crop holds a face',
    },
  },
];

/** Directory of an installed npm package, found by walking up node_modules folders. */
export function findPackageDir(pkg: string, from = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, 'node_modules', pkg);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package ${pkg} is not installed (looked up from ${from})`);
    dir = parent;
  }
}

export function packageVersion(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}
