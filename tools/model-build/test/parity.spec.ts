// The converted ONNX models against the original TF.js graphs (pure-JS TF.js, CPU backend, in a
// child process) on the same inputs: real photo content and noise, a batch of 3 for FaceRes.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { findPackageDir } from '../src/models.js';
import { maxAbsDiff, nhwcToNchw, runReferenceProcess } from './reference-process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'dist/models');
const human = join(findPackageDir('@vladmandic/human', root), 'models');
const samples = join(findPackageDir('@vladmandic/face-api', root), 'demo');

interface Meta {
  outputs: { name: string; tfName: string; shape: number[] }[];
}
const meta = (name: string) => JSON.parse(readFileSync(join(modelsDir, `${name}.json`), 'utf8')) as Meta;

async function rgb(
  file: string,
  size: number,
  region?: { left: number; top: number; width: number; height: number },
): Promise<Uint8Array> {
  let img = sharp(join(samples, file));
  if (region) img = img.extract(region);
  return new Uint8Array(await img.resize(size, size, { fit: 'fill' }).removeAlpha().raw().toBuffer());
}

function noise(n: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: n }, () => (s = (s * 1103515245 + 12345) & 0x7fffffff) % 256);
}

/** Bounds on max |TF.js − ONNX| per output (measured values are an order of magnitude lower; see docs/vision.md). */
const BOUNDS: Record<string, number> = {
  scores_stride16: 5e-3,
  scores_stride32: 5e-3,
  boxes_stride16: 2e-3,
  boxes_stride32: 2e-3,
  gender: 1e-5,
  age: 1e-5,
  descriptor: 1e-4,
  faceflag: 1e-4,
};

async function compare(
  name: string,
  size: number,
  images: Uint8Array[],
  norm: (v: number) => number,
): Promise<Record<string, number>> {
  const n = images.length;
  const nhwc = new Float32Array(n * size * size * 3);
  images.forEach((img, b) => img.forEach((v, i) => (nhwc[b * size * size * 3 + i] = norm(v))));
  const m = meta(name);
  const ref = runReferenceProcess(
    join(human, `${name}.json`),
    nhwc,
    [n, size, size, 3],
    m.outputs.map((o) => o.tfName),
  );
  const session = await ort.InferenceSession.create(join(modelsDir, `${name}.onnx`), {
    intraOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const got = await session.run({
    [session.inputNames[0]]: new ort.Tensor('float32', nhwcToNchw(nhwc, n, size, size, 3), [n, 3, size, size]),
  });
  const diffs: Record<string, number> = {};
  for (const o of m.outputs) {
    expect(Array.from(got[o.name].dims)).toEqual(ref.outputs[o.tfName].shape);
    diffs[o.name] = maxAbsDiff(ref.outputs[o.tfName].data, got[o.name].data as Float32Array);
  }
  console.log(
    `${name} parity (batch ${n}): max |TF.js − ONNX| ${JSON.stringify(diffs)}; TF.js CPU took ${ref.ms.toFixed(0)} ms`,
  );
  return diffs;
}

test('blazeface: photo and noise inputs', async () => {
  for (const img of [await rgb('sample1.jpg', 256), noise(256 * 256 * 3, 1)]) {
    const d = await compare('blazeface', 256, [img], (v) => v / 127.5 - 1);
    for (const [k, v] of Object.entries(d)) expect(v).toBeLessThan(BOUNDS[k]);
  }
}, 120_000);

test('faceres: a batch of three face crops', async () => {
  const faces = [
    await rgb('sample1.jpg', 224, { left: 380, top: 350, width: 270, height: 270 }),
    await rgb('sample3.jpg', 224, { left: 1010, top: 200, width: 300, height: 300 }),
    await rgb('sample6.jpg', 224, { left: 600, top: 320, width: 330, height: 330 }),
  ];
  const d = await compare('faceres', 224, faces, (v) => v);
  for (const [k, v] of Object.entries(d)) expect(v).toBeLessThan(BOUNDS[k]);
}, 180_000);

test('facemesh: two face crops and a non-face (its face flag is the second stage of libs/vision)', async () => {
  const crops = [
    await rgb('sample1.jpg', 192, { left: 380, top: 350, width: 270, height: 270 }),
    await rgb('sample6.jpg', 192, { left: 600, top: 320, width: 330, height: 330 }),
    noise(192 * 192 * 3, 7),
  ];
  const d = await compare('facemesh', 192, crops, (v) => v / 255);
  for (const [k, v] of Object.entries(d)) expect(v).toBeLessThan(BOUNDS[k]);
}, 180_000);

test('facemesh runs in the blocked NCHWc layout of onnxruntime from its first Conv to its head: PRelu and the channel Pads do not leave it', async () => {
  // what onnxruntime made of the graph: its own optimised copy, written by the session
  const optimized = join(mkdtempSync(join(tmpdir(), 'facemesh-')), 'optimized.onnx');
  const session = await ort.InferenceSession.create(join(modelsDir, 'facemesh.onnx'), {
    intraOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    optimizedModelFilePath: optimized,
  });
  await session.release();
  const ops: Record<string, number> = {};
  for (const n of onnxProto.onnx.ModelProto.decode(readFileSync(optimized)).graph!.node!) {
    const op = `${n.domain ? `${n.domain}.` : ''}${n.opType}`;
    ops[op] = (ops[op] ?? 0) + 1;
  }
  // one reorder out of the blocked layout (before the head's Reshape), none into it, no element-wise Min or Mul
  expect(ops).toMatchObject({ 'com.microsoft.nchwc.ReorderOutput': 1 });
  for (const op of ['com.microsoft.nchwc.ReorderInput', 'Min', 'Mul', 'Pad', 'Conv', 'MaxPool'])
    expect([op, ops[op] ?? 0]).toEqual([op, 0]);
  expect(ops['com.microsoft.nchwc.Conv']).toBeGreaterThan(70);
});
