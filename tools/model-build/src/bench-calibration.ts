// The machine's own limit, so that a bench number carries from one machine to the next:
// - `calibrate()` runs a fixed calibration graph (dense 3×3 convolutions, fp32, the kind of work
//   FaceRes and BlazeFace are made of) in onnxruntime-node on one and on two intra-op threads and
//   reports GFLOPS: this machine's fp32 conv peak as the runtime reaches it.
// - `modelFlops()` counts the multiply-adds of an ONNX model for a given input shape (Conv, Gemm,
//   MatMul; shapes read from one real run with every such node's output exposed).
// - The compute limit of a frame = its FLOPs / the one-thread peak; each bench prints its result as
//   a ratio to it.
//
// Run on its own (`node dist/tool/bench-calibration.js [--json FILE]`) it prints the calibration;
// local-stack's bench runs it this way before it starts the stack.
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { ElemType, OnnxGraphBuilder } from './onnx-builder.js';

const { onnx } = onnxProto;

/** The calibration graph: LAYERS × Conv(3×3, C→C, pad 1) + Relu on 1×C×S×S. Fixed: changing it changes every ratio. */
export const CALIBRATION = { channels: 128, size: 56, layers: 4, runs: 20, warmup: 3 } as const;

export interface PeakResult {
  threads: number;
  /** Best and median time of one run of the calibration graph. */
  bestMs: number;
  medianMs: number;
  /** The peak: GFLOPS of the best run (what the ratios use; on a busy machine the median is the neighbours' share). */
  gflops: number;
  medianGflops: number;
}

export interface Calibration {
  cpu: string;
  cores: number;
  flags: string[];
  onnxruntime: string;
  graph: string;
  graphGflop: number;
  peaks: PeakResult[];
}

/** Deterministic pseudo-random floats in [-a, a] (no denormals, same graph on every machine). */
function lcgFloats(n: number, amplitude: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * amplitude;
  }
  return out;
}

export function calibrationGraph(): { bytes: Uint8Array; flop: number } {
  const { channels: c, size: s, layers } = CALIBRATION;
  const g = new OnnxGraphBuilder();
  g.addInput('x', ElemType.FLOAT, [{ value: 1 }, { value: c }, { value: s }, { value: s }]);
  let x = 'x';
  for (let l = 0; l < layers; l++) {
    const w = g.initFloat(`w${l}`, [c, c, 3, 3], lcgFloats(c * c * 9, 0.03, 17 + l));
    const b = g.initFloat(`b${l}`, [c], lcgFloats(c, 0.01, 101 + l));
    x = g.op('Relu', [g.op('Conv', [x, w, b], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] })]);
  }
  g.addOutput(x, ElemType.FLOAT, [{ value: 1 }, { value: c }, { value: s }, { value: s }]);
  const bytes = g.encode('calibration', 'fp32 3x3 conv peak calibration', {});
  return { bytes, flop: layers * 2 * c * c * 9 * s * s };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function measurePeak(threads: number): Promise<PeakResult> {
  const { bytes, flop } = calibrationGraph();
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  const { channels: c, size: s } = CALIBRATION;
  const x = new ort.Tensor('float32', lcgFloats(c * s * s, 1, 7), [1, c, s, s]);
  const times: number[] = [];
  for (let i = 0; i < CALIBRATION.warmup + CALIBRATION.runs; i++) {
    const t = performance.now();
    await session.run({ x });
    if (i >= CALIBRATION.warmup) times.push(performance.now() - t);
  }
  await session.release();
  const medianMs = median(times);
  const bestMs = Math.min(...times);
  return { threads, bestMs, medianMs, gflops: flop / bestMs / 1e6, medianGflops: flop / medianMs / 1e6 };
}

export function cpuFlags(): string[] {
  try {
    const flags = (/^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').split(' ');
    return ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx_vnni', 'amx_int8'].filter((f) => flags.includes(f));
  } catch {
    return [];
  }
}

export function cpuModel(): string {
  return cpus()[0]?.model?.trim() || 'unknown CPU';
}

export async function calibrate(threads: number[] = [1, 2]): Promise<Calibration> {
  const peaks: PeakResult[] = [];
  for (const t of threads) peaks.push(await measurePeak(t));
  const { channels: c, size: s, layers } = CALIBRATION;
  return {
    cpu: cpuModel(),
    cores: cpus().length,
    flags: cpuFlags(),
    onnxruntime: ort.env.versions.common,
    graph: `${layers} × Conv 3×3 ${c}→${c} + Relu on 1×${c}×${s}×${s}, fp32`,
    graphGflop: calibrationGraph().flop / 1e9,
    peaks,
  };
}

export function formatCalibration(cal: Calibration): string {
  const lines = [
    `CPU: ${cal.cpu} × ${cal.cores} (${cal.flags.join(', ') || 'no flags read'}); onnxruntime-node ${cal.onnxruntime}`,
    `fp32 conv peak (calibration graph: ${cal.graph}, ${cal.graphGflop.toFixed(2)} GFLOP; best of ${CALIBRATION.runs} runs):`,
  ];
  for (const p of cal.peaks)
    lines.push(
      `  ${p.threads} thread${p.threads > 1 ? 's' : ' '}: ${p.gflops.toFixed(1)} GFLOPS (${p.bestMs.toFixed(1)} ms; median run ${p.medianGflops.toFixed(1)} GFLOPS)`,
    );
  return lines.join('\n');
}

/** The one-thread peak in GFLOPS (what a single-threaded analyser can reach). */
export function onePeak(cal: Calibration): number {
  const p = cal.peaks.find((x) => x.threads === 1) ?? cal.peaks[0];
  return p.gflops;
}

/**
 * Multiply-add FLOPs (2 per MAC) of the Conv, Gemm and MatMul nodes of an ONNX model when fed
 * `inputShape`: every such node's output becomes a graph output, one run gives the shapes.
 */
export async function modelFlops(path: string, inputShape: number[]): Promise<number> {
  const model = onnx.ModelProto.decode(readFileSync(path));
  const graph = model.graph!;
  const shapes = new Map<string, number[]>();
  for (const init of graph.initializer ?? []) shapes.set(init.name!, (init.dims ?? []).map(Number));
  const counted = (graph.node ?? []).filter((n) => ['Conv', 'Gemm', 'MatMul'].includes(n.opType!));
  const existing = new Set((graph.output ?? []).map((o) => o.name));
  // the inputs of the counted nodes are needed too (for Cin and K), unless they are initializers
  const wanted = new Set<string>();
  for (const n of counted) {
    wanted.add(n.output![0]);
    for (const i of n.input ?? []) if (i && !shapes.has(i)) wanted.add(i);
  }
  const inputName = graph.input![0].name!;
  wanted.delete(inputName);
  for (const name of wanted)
    if (!existing.has(name)) graph.output!.push({ name, type: { tensorType: { elemType: ElemType.FLOAT } } });
  const session = await ort.InferenceSession.create(onnx.ModelProto.encode(model).finish(), {
    graphOptimizationLevel: 'disabled',
    logSeverityLevel: 3,
  });
  const size = inputShape.reduce((a, b) => a * b, 1);
  const out = await session.run({
    [inputName]: new ort.Tensor('float32', new Float32Array(size).fill(0.5), inputShape),
  });
  await session.release();
  shapes.set(inputName, inputShape);
  for (const [name, t] of Object.entries(out)) shapes.set(name, [...t.dims]);
  let flop = 0;
  for (const n of counted) {
    const y = shapes.get(n.output![0])!;
    const a = shapes.get(n.input![0])!;
    const b = shapes.get(n.input![1])!;
    const outCount = y.reduce((p, q) => p * q, 1);
    if (n.opType === 'Conv')
      flop += 2 * outCount * b.slice(1).reduce((p, q) => p * q, 1); // Cin/group × kh × kw
    else if (n.opType === 'Gemm') {
      const transA = n.attribute?.find((x) => x.name === 'transA')?.i;
      flop += 2 * outCount * (Number(transA) ? a[0] : a[a.length - 1]);
    } else flop += 2 * outCount * a[a.length - 1];
  }
  return flop;
}

export interface FrameLimit {
  faces: number;
  /** BlazeFace once + FaceRes per face. */
  gflop: number;
  /** The frame's compute time at the one-thread peak. */
  limitMsOneThread: number;
  /** Frames per second the machine could compute at its two-thread peak (the whole pipeline's ceiling). */
  limitFpsTwoThreads: number;
}

/** The compute limit of a frame with `faces` faces, from the models in `modelsDir`. */
export async function frameLimit(cal: Calibration, modelsDir: string, faces: number): Promise<FrameLimit> {
  const det = await modelFlops(join(modelsDir, 'blazeface.onnx'), [1, 3, 256, 256]);
  const face = faces ? (await modelFlops(join(modelsDir, 'faceres.onnx'), [faces, 3, 224, 224])) / faces : 0;
  const gflop = (det + faces * face) / 1e9;
  const two = cal.peaks.find((p) => p.threads === 2)?.gflops ?? 2 * onePeak(cal);
  return { faces, gflop, limitMsOneThread: (gflop / onePeak(cal)) * 1000, limitFpsTwoThreads: two / gflop };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      threads: { type: 'string', default: '1,2' },
      faces: { type: 'string', default: '3' },
      models: { type: 'string', default: fileURLToPath(new URL('../models', import.meta.url)) },
    },
  });
  const cal = await calibrate(values.threads!.split(',').map(Number));
  console.log(formatCalibration(cal));
  const frame = await frameLimit(cal, values.models!, Number(values.faces));
  console.log(
    `compute limit of a ${frame.faces}-face frame (BlazeFace + ${frame.faces} × FaceRes, ${frame.gflop.toFixed(2)} GFLOP): ` +
      `${frame.limitMsOneThread.toFixed(1)} ms on one thread, ${frame.limitFpsTwoThreads.toFixed(1)} frames/s at the two-thread peak`,
  );
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ ...cal, frame }, null, 2)}\n`);
}
