// int8 FaceRes: static QDQ quantisation of every Conv (weights int8 per output channel, symmetric;
// activations uint8 per tensor, ranges calibrated on real face crops; biases int32), which
// onnxruntime fuses into QLinearConv when it loads the model. The Gemm heads stay fp32.
//
// `nx run model-build:build` writes dist/models/faceres-int8.onnx with `writeInt8Faceres` and fails
// unless it gives equal results (issue 13's rules, on the sample photos); image-analysis and
// face-recognition load it by default (VISION_FACERES=fp32 for the fp32 graph).
// `node dist/tool/quantize.js [modelsDir] [--detectors]` rewrites it, prints the check and both speeds;
// with --detectors it also tries the same quantisation on BlazeFace and FaceMesh (tryInt8Detectors).
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { DEFAULT_MATCH_THRESHOLD, MODEL_FILES, similarity, Vision } from '@airport-mesh/vision';
import { cpuFlags, cpuModel } from './bench-calibration.js';
import { composeFrame } from './bench-frames.js';
import { findPackageDir } from './models.js';

const { onnx } = onnxProto;
type Node = onnxProto.onnx.INodeProto;
const T = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6 } as const;
const SIZE = 224;

function tensor(name: string, dataType: number, dims: number[], raw: Uint8Array): onnxProto.onnx.ITensorProto {
  return { name, dataType, dims, rawData: raw };
}
const f32 = (a: number[]) => new Uint8Array(Float32Array.from(a).buffer);

function floatsOf(t: onnxProto.onnx.ITensorProto): Float32Array {
  if (t.rawData?.length) {
    const raw = t.rawData;
    return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  }
  return Float32Array.from(t.floatData ?? []);
}

/** Face crops as FaceRes sees them (1.4 × the detector box, square, 224², RGB 0..255, planar), from the sample photos. */
export async function calibrationCrops(vision: Vision, photos: Buffer[]): Promise<Float32Array[]> {
  const crops: Float32Array[] = [];
  for (const photo of photos) {
    const { faces, width, height } = await vision.detect(photo);
    for (const f of faces) {
      const side = Math.round(Math.max(f.box.width, f.box.height) * 1.4);
      const cx = f.box.x + f.box.width / 2;
      const cy = f.box.y + f.box.height / 2;
      const left = Math.round(cx - side / 2);
      const top = Math.round(cy - side / 2);
      const ext = {
        top: Math.max(0, -top),
        left: Math.max(0, -left),
        bottom: Math.max(0, top + side - height),
        right: Math.max(0, left + side - width),
        background: { r: 0, g: 0, b: 0 },
      };
      const { data } = await sharp(photo)
        .removeAlpha()
        .extend(ext)
        .extract({ left: left + ext.left, top: top + ext.top, width: side, height: side })
        .resize(SIZE, SIZE)
        .raw()
        .toBuffer({ resolveWithObject: true });
      const x = new Float32Array(3 * SIZE * SIZE);
      for (let i = 0; i < SIZE * SIZE; i++) for (let c = 0; c < 3; c++) x[c * SIZE * SIZE + i] = data[i * 3 + c];
      crops.push(x);
    }
  }
  return crops;
}

/**
 * QDQ-quantises the Convs of an fp32 ONNX model; activation ranges from `crops` (inputs of shape
 * `dims`: FaceRes' one 224² crop unless given).
 */
export async function quantizeConvs(
  fp32: Uint8Array,
  crops: Float32Array[],
  dims: number[] = [1, 3, SIZE, SIZE],
): Promise<Uint8Array> {
  const model = onnx.ModelProto.decode(fp32);
  const graph = model.graph!;
  const nodes = graph.node!;
  const inits = new Map(graph.initializer!.map((t) => [t.name!, t]));
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.output ?? []) producer.set(o, n);
  const consumers = (name: string) => nodes.filter((n) => n.input?.includes(name));
  const convs = nodes.filter((n) => n.opType === 'Conv');

  // the activations to quantise: every Conv input, and every Conv output (or the Clip/Relu right after it)
  const acts = new Set<string>();
  for (const c of convs) {
    acts.add(c.input![0]);
    const y = c.output![0];
    const next = consumers(y);
    if (next.length === 1 && ['Clip', 'Relu'].includes(next[0].opType!)) acts.add(next[0].output![0]);
    else acts.add(y);
  }

  // calibration: min/max of each of them over the crops (fp32 model with them exposed as outputs)
  const probe = onnx.ModelProto.decode(fp32);
  const outs = new Set(probe.graph!.output!.map((o) => o.name));
  for (const a of acts)
    if (!outs.has(a)) probe.graph!.output!.push({ name: a, type: { tensorType: { elemType: T.FLOAT } } });
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(probe).finish(), {
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
  });
  const range = new Map<string, [number, number]>();
  const inputName = graph.input![0].name!;
  for (const crop of crops) {
    const out = await session.run({ [inputName]: new ort.Tensor('float32', crop, dims) });
    for (const a of acts) {
      const v = a === inputName ? crop : (out[a].data as Float32Array);
      let [lo, hi] = range.get(a) ?? [0, 0];
      for (let i = 0; i < v.length; i++) {
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
      }
      range.set(a, [lo, hi]);
    }
  }
  await session.release();

  const added: Node[] = [];
  const newInits: onnxProto.onnx.ITensorProto[] = [];
  const actScale = new Map<string, number>();
  // activations: T (as produced) → QuantizeLinear → DequantizeLinear → T (as consumed)
  for (const a of acts) {
    const [lo, hi] = range.get(a)!;
    const scale = Math.max(hi - lo, 1e-6) / 255;
    const zp = Math.min(255, Math.max(0, Math.round(-lo / scale)));
    actScale.set(a, scale);
    const raw = `${a}__f32`;
    const prod = producer.get(a);
    if (prod) prod.output = prod.output!.map((o) => (o === a ? raw : o));
    else for (const n of nodes) n.input = n.input!.map((i) => (i === a ? raw : i));
    // the graph's own outputs keep their names (fed by the DQ)
    const src = prod ? raw : a;
    const dst = prod ? a : raw;
    actScale.set(dst, scale);
    newInits.push(tensor(`${a}__scale`, T.FLOAT, [], f32([scale])), tensor(`${a}__zp`, T.UINT8, [], Uint8Array.of(zp)));
    added.push(
      { name: `${a}__Q`, opType: 'QuantizeLinear', input: [src, `${a}__scale`, `${a}__zp`], output: [`${a}__q`] },
      { name: `${a}__DQ`, opType: 'DequantizeLinear', input: [`${a}__q`, `${a}__scale`, `${a}__zp`], output: [dst] },
    );
  }
  // weights: int8 per output channel, symmetric; bias: int32 at scale x_scale · w_scale
  for (const c of convs) {
    const wName = c.input![1];
    const w = inits.get(wName)!;
    const dims = w.dims!.map(Number);
    const data = floatsOf(w);
    const cout = dims[0];
    const per = data.length / cout;
    const q = new Int8Array(data.length);
    const scales: number[] = [];
    for (let o = 0; o < cout; o++) {
      let m = 0;
      for (let i = 0; i < per; i++) m = Math.max(m, Math.abs(data[o * per + i]));
      const s = m / 127 || 1e-8;
      scales.push(s);
      for (let i = 0; i < per; i++) q[o * per + i] = Math.max(-127, Math.min(127, Math.round(data[o * per + i] / s)));
    }
    const base = `${c.name}__w`;
    newInits.push(
      tensor(`${base}_q`, T.INT8, dims, new Uint8Array(q.buffer)),
      tensor(`${base}_scale`, T.FLOAT, [cout], f32(scales)),
      tensor(`${base}_zp`, T.INT8, [cout], new Uint8Array(cout)),
    );
    added.push({
      name: `${base}_DQ`,
      opType: 'DequantizeLinear',
      input: [`${base}_q`, `${base}_scale`, `${base}_zp`],
      output: [`${base}_dq`],
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
    });
    const inputs = [c.input![0], `${base}_dq`];
    if (c.input![2]) {
      const b = floatsOf(inits.get(c.input![2])!);
      const xs = actScale.get(c.input![0])!;
      const bs = scales.map((s) => s * xs);
      const bq = Int32Array.from(b, (v, i) => Math.round(v / bs[i]));
      newInits.push(
        tensor(`${c.name}__b_q`, T.INT32, [cout], new Uint8Array(bq.buffer)),
        tensor(`${c.name}__b_scale`, T.FLOAT, [cout], f32(bs)),
        tensor(`${c.name}__b_zp`, T.INT32, [cout], new Uint8Array(4 * cout)),
      );
      added.push({
        name: `${c.name}__b_DQ`,
        opType: 'DequantizeLinear',
        input: [`${c.name}__b_q`, `${c.name}__b_scale`, `${c.name}__b_zp`],
        output: [`${c.name}__b_dq`],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }],
      });
      inputs.push(`${c.name}__b_dq`);
    }
    c.input = inputs;
  }
  graph.node = [...added, ...nodes]; // onnxruntime sorts the graph topologically
  const used = new Set(graph.node.flatMap((n) => n.input ?? []));
  graph.initializer = [...graph.initializer!.filter((t) => used.has(t.name!)), ...newInits];
  model.docString = `${model.docString ?? ''}; Convs QDQ-quantised to int8 (weights per channel) by airport-mesh model-build`;
  return onnx.ModelProto.encode(model).finish();
}

async function timeFaceres(path: string, batch: number, runs = 20): Promise<number> {
  return timeModel(path, [batch, 3, SIZE, SIZE], 128, runs);
}

/** Median ms of one-thread inference on a constant input of shape `dims`. */
async function timeModel(model: string | Uint8Array, dims: number[], fill: number, runs = 20): Promise<number> {
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };
  const s =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model, options)
      : await ort.InferenceSession.create(model, options);
  const x = new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(fill), dims);
  const ts: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const t = performance.now();
    await s.run({ [s.inputNames[0]]: x });
    if (i >= 3) ts.push(performance.now() - t);
  }
  await s.release();
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

export interface Int8Check {
  /** Largest |age(int8) − age(fp32)| over the sample faces, years. */
  maxAge: number;
  /** Lowest similarity of a face's int8 descriptor to its own fp32 descriptor. */
  minSame: number;
  /** Highest similarity of a face's int8 descriptor to another face's fp32 descriptor. */
  maxStranger: number;
  /** Every rule of issue 13 the int8 graph broke (empty: equal results). */
  problems: string[];
}

/**
 * Writes `<dir>/faceres-int8.onnx` from `<dir>/faceres.onnx` (calibrated on the face crops of the
 * face-api sample photos) and checks it against fp32 on those photos as issue 13 defines "equal
 * results": the same face count, age within ±2 years, the same gender, each face's int8 descriptor
 * above the match threshold against its fp32 descriptor and below it against every other face's.
 */
export async function writeInt8Faceres(dir: string): Promise<Int8Check & { crops: number; file: string }> {
  const demo = join(findPackageDir('@vladmandic/face-api'), 'demo');
  const photos = [1, 2, 3, 4, 5, 6].map((n) => readFileSync(join(demo, `sample${n}.jpg`)));
  const fp32 = await Vision.load({ modelsDir: dir, threads: 1, faceres: 'fp32' });
  const crops = await calibrationCrops(fp32, photos);
  const file = join(dir, MODEL_FILES.faceresInt8);
  writeFileSync(file, await quantizeConvs(readFileSync(join(dir, MODEL_FILES.faceres)), crops));

  const int8 = await Vision.load({ modelsDir: dir, threads: 1, faceres: 'int8' });
  const problems: string[] = [];
  let maxAge = 0;
  let minSame = 1;
  let maxStranger = -1;
  for (const [p, photo] of photos.entries()) {
    const a = await fp32.analyze(photo);
    const b = await int8.analyze(photo);
    if (a.faces.length !== b.faces.length)
      problems.push(`sample${p + 1}: ${a.faces.length} vs ${b.faces.length} faces`);
    for (const [i, fa] of a.faces.entries()) {
      const fb = b.faces[i];
      if (!fb) continue;
      maxAge = Math.max(maxAge, Math.abs(fa.age - fb.age));
      if (Math.abs(fa.age - fb.age) > 2) problems.push(`sample${p + 1} face ${i}: age ${fa.age} vs ${fb.age}`);
      if (fa.gender !== fb.gender) problems.push(`sample${p + 1} face ${i}: ${fa.gender} vs ${fb.gender}`);
      const same = similarity(fa.descriptor, fb.descriptor);
      minSame = Math.min(minSame, same);
      if (same < DEFAULT_MATCH_THRESHOLD) problems.push(`sample${p + 1} face ${i}: same person at ${same.toFixed(3)}`);
      for (const [j, other] of a.faces.entries()) {
        if (j === i) continue;
        const s = similarity(other.descriptor, fb.descriptor);
        maxStranger = Math.max(maxStranger, s);
        if (s >= DEFAULT_MATCH_THRESHOLD) problems.push(`sample${p + 1} faces ${j}/${i}: strangers at ${s.toFixed(3)}`);
      }
    }
  }
  return { maxAge, minSame, maxStranger, problems, crops: crops.length, file };
}

/**
 * The same QDQ quantisation tried on BlazeFace and FaceMesh (`nx run model-build:quantize -- --detectors`):
 * calibrated on the inputs libs/vision gives them on the sample photos and the bench's frames,
 * timed bare against fp32 (one thread), and their detections compared on the photos. Nothing is written:
 * in onnxruntime 1.30 both came out slower than fp32 (docs/performance.md, round 11).
 */
export async function tryInt8Detectors(dir: string): Promise<string[]> {
  const demo = join(findPackageDir('@vladmandic/face-api'), 'demo');
  const photos: Buffer[] = [1, 2, 3, 4, 5, 6].map((n) => readFileSync(join(demo, `sample${n}.jpg`)));
  for (const n of [1, 3, 6]) photos.push(await composeFrame(demo, n));
  // what libs/vision feeds each model, caught at onnxruntime's run (BlazeFace 256², FaceMesh 192²)
  const inputs = new Map<number, Float32Array[]>([
    [256, []],
    [192, []],
  ]);
  // the class behind InferenceSession.create, whose run every session of this process uses
  const proto = (ort.InferenceSession as unknown as { prototype: { run: (...args: unknown[]) => Promise<unknown> } })
    .prototype;
  const run = proto.run;
  proto.run = function (this: unknown, ...args: unknown[]) {
    const t = Object.values(args[0] as Record<string, ort.Tensor>)[0];
    const per = t.data.length / t.dims[0];
    for (let i = 0; i < t.dims[0]; i++)
      inputs.get(t.dims[3])?.push(Float32Array.from((t.data as Float32Array).subarray(i * per, (i + 1) * per)));
    return run.apply(this, args);
  };
  const fp32 = await Vision.load({ modelsDir: dir, threads: 1 });
  const reference = [];
  try {
    for (const p of photos) reference.push(await fp32.detect(p));
  } finally {
    proto.run = run;
  }
  const out = mkdtempSync(join(tmpdir(), 'int8-detectors-'));
  for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(out, f));
  const lines: string[] = [];
  for (const [name, size, batch] of [
    ['blazeface', 256, 1],
    ['facemesh', 192, 3],
  ] as const) {
    const file = join(dir, `${name}.onnx`);
    const int8 = await quantizeConvs(readFileSync(file), inputs.get(size)!, [1, 3, size, size]);
    writeFileSync(join(out, `${name}.onnx`), int8);
    const dims = [batch, 3, size, size];
    const [a, b] = [await timeModel(file, dims, 0.5), await timeModel(int8, dims, 0.5)];
    lines.push(
      `${name} ${dims.join('×')}, one thread, median of 20: fp32 ${a.toFixed(1)} ms, int8 (QDQ Convs, calibrated on ${inputs.get(size)!.length} inputs) ${b.toFixed(1)} ms (${a > b ? `${(a / b).toFixed(2)}× faster` : `${(b / a).toFixed(2)}× slower`})`,
    );
  }
  const int8 = new Vision({ modelsDir: out, threads: 1 });
  let same = 0;
  const differ: string[] = [];
  for (const [i, p] of photos.entries()) {
    const [a, b] = [reference[i].faces, (await int8.detect(p)).faces];
    if (a.length === b.length) same++;
    else
      differ.push(`${i < 6 ? `sample${i + 1}` : `bench frame ${[1, 3, 6][i - 6]}`}: ${a.length} vs ${b.length} faces`);
  }
  lines.push(
    `with both int8: the same face count on ${same} of ${photos.length} images${differ.length ? ` (${differ.join('; ')})` : ''}`,
  );
  rmSync(out, { recursive: true, force: true });
  return lines;
}

export function describeCheck(c: Int8Check): string {
  return (
    `int8 vs fp32 on samples 1-6: max age difference ${c.maxAge.toFixed(1)} y, lowest same-person similarity ${c.minSame.toFixed(3)}, ` +
    `highest stranger similarity ${c.maxStranger.toFixed(3)} (threshold ${DEFAULT_MATCH_THRESHOLD}); ` +
    (c.problems.length ? `NOT equal: ${c.problems.join('; ')}` : 'equal results')
  );
}

// `nx run model-build:quantize`: rewrites faceres-int8.onnx (as the build does) and prints both speeds
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = resolve(process.argv[2] ?? fileURLToPath(new URL('../models', import.meta.url)));
  const check = await writeInt8Faceres(dir);
  console.log(
    `CPU: ${cpuModel()} (${cpuFlags().join(', ')}); calibrated on ${check.crops} face crops; wrote ${check.file}`,
  );
  console.log(describeCheck(check));
  for (const batch of [1, 3]) {
    const a = await timeFaceres(join(dir, MODEL_FILES.faceres), batch);
    const b = await timeFaceres(join(dir, MODEL_FILES.faceresInt8), batch);
    console.log(
      `faceres ${batch}×3×224×224, one thread, median of 20: fp32 ${a.toFixed(1)} ms, int8 ${b.toFixed(1)} ms (${(a / b).toFixed(2)}× faster)`,
    );
  }
  if (process.argv.includes('--detectors')) for (const line of await tryInt8Detectors(dir)) console.log(line);
  if (check.problems.length) process.exitCode = 1;
}
