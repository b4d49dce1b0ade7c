// The rewrites alone: batch-norm/affine folding checked against computing conv then BN with real
// numbers, and Relu → Minimum(6) → Maximum(0) becoming one Clip(0, 6).
import { TfGraph } from '../../src/convert/graph.js';
import { OP_HANDLERS } from '../../src/convert/ops/index.js';
import { applyFold, findRewrites, foldBatchNorm } from '../../src/convert/rewrites.js';
import { transposeData } from '../../src/convert/layout.js';
import { maxAbsDiff } from '../reference-process.js';
import { convertWith, decodeModel, list, runOnnx, s, TinyGraph } from '../tiny-graph.js';

/** Direct 2-D convolution, NHWC input, HWIO filter, VALID, stride 1, in float64. */
function conv2d(x: number[], [H, W, C]: number[], f: number[], [kh, kw, , O]: number[]): number[] {
  const oh = H - kh + 1;
  const ow = W - kw + 1;
  const out = new Array<number>(oh * ow * O).fill(0);
  for (let y = 0; y < oh; y++)
    for (let z = 0; z < ow; z++)
      for (let o = 0; o < O; o++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kw; j++)
            for (let c = 0; c < C; c++)
              out[(y * ow + z) * O + o] += x[((y + i) * W + z + j) * C + c] * f[((i * kw + j) * C + c) * O + o];
  return out;
}

const X_SHAPE = [4, 4, 2];
const F_SHAPE = [3, 3, 2, 3];
const x = Array.from({ length: 32 }, (_, i) => Math.sin(i * 0.7) * 2);
const f = Array.from({ length: 54 }, (_, i) => Math.cos(i * 1.3) * 0.5);
const bn = {
  scale: [1.5, -0.5, 2],
  offset: [0.1, -0.2, 0.3],
  mean: [0.5, -1, 0.25],
  variance: [4, 0.25, 1],
  eps: 0.001,
};
/** y = (conv − mean)·scale/√(variance + eps) + offset, computed directly. */
const convThenBn = () =>
  conv2d(x, X_SHAPE, f, F_SHAPE).map((v, i) => {
    const o = i % 3;
    return ((v - bn.mean[o]) * bn.scale[o]) / Math.sqrt(bn.variance[o] + bn.eps) + bn.offset[o];
  });
const convAttrs = { strides: list([1, 1, 1, 1]), padding: s('VALID'), data_format: s('NHWC') };

test('foldBatchNorm: conv with the folded weights and bias equals conv then batch norm', () => {
  // the folded weights are laid out [outC, …] as ONNX Conv has them
  const w = transposeData(Float32Array.from(f), F_SHAPE, [3, 2, 0, 1]).data;
  const bias = foldBatchNorm(w, 3, {
    scale: Float32Array.from(bn.scale),
    offset: Float32Array.from(bn.offset),
    mean: Float32Array.from(bn.mean),
    variance: Float32Array.from(bn.variance),
    eps: bn.eps,
  });
  const folded = Array.from(transposeData(w, [3, 2, 3, 3], [2, 3, 1, 0]).data); // back to HWIO
  const got = conv2d(x, X_SHAPE, folded, F_SHAPE).map((v, i) => v + bias[i % 3]);
  expect(maxAbsDiff(got, convThenBn())).toBeLessThan(1e-5);
});

test('applyFold: a Mul then Add after a biased conv scales the weights and the bias, then adds', () => {
  const w = Float32Array.from([1, 2, 3, 4]); // 2 output channels × 2
  const bias = applyFold(w, Float32Array.from([1, -1]), 2, {
    scale: Float32Array.from([2, -3]),
    offset: Float32Array.from([0.5, 0.25]),
    last: 'add',
  });
  expect(Array.from(w)).toEqual([2, 4, -9, -12]);
  expect(Array.from(bias!)).toEqual([2.5, 3.25]);
});

test('Conv2D → Mul → AddV2 is found, folded into one Conv, and runs as conv then the affine', async () => {
  const t = new TinyGraph();
  const conv = t.node('conv', 'Conv2D', [t.input('x', [1, ...X_SHAPE]), t.konst('f', F_SHAPE, f)], convAttrs);
  const mul = t.node('mul', 'Mul', [conv, t.konst('scale', [3], [2, -1, 0.5])]);
  t.node('add', 'AddV2', [mul, t.konst('offset', [3], [1, 2, 3])]);
  const model = t.model(['add']);
  const rw = findRewrites(new TfGraph(model));
  expect(rw.counts).toEqual({ foldedAffine: 1, clips: 0 });
  expect(rw.folds.get('conv')).toMatchObject({ last: 'add' });
  expect([...rw.skipped].sort()).toEqual(['add', 'mul']);
  expect(rw.aliases.get('add')).toBe('conv');
  const res = convertWith(model, OP_HANDLERS);
  expect(res.onnxOps).toEqual({ Conv: 1, Identity: 1, Transpose: 2 });
  const out = await runOnnx(res.onnx, { name: 'x', dims: [1, ...X_SHAPE], data: x });
  const want = conv2d(x, X_SHAPE, f, F_SHAPE).map((v, i) => v * [2, -1, 0.5][i % 3] + [1, 2, 3][i % 3]);
  expect(out.add.dims).toEqual([1, 2, 2, 3]);
  expect(maxAbsDiff(out.add.data, want)).toBeLessThan(1e-5);
});

test('_FusedConv2D with FusedBatchNorm runs in onnxruntime as conv then batch norm computed directly', async () => {
  const t = new TinyGraph();
  const args = (['scale', 'offset', 'mean', 'variance'] as const).map((k) => t.konst(k, [3], bn[k]));
  t.node('y', '_FusedConv2D', [t.input('x', [1, ...X_SHAPE]), t.konst('f', F_SHAPE, f), ...args], {
    ...convAttrs,
    fused_ops: { list: { s: [s('FusedBatchNorm').s!] } },
    epsilon: { f: bn.eps },
  });
  const res = convertWith(t.model(['y']), OP_HANDLERS);
  expect(res.onnxOps.Conv).toBe(1);
  const out = await runOnnx(res.onnx, { name: 'x', dims: [1, ...X_SHAPE], data: x });
  expect(maxAbsDiff(out.y.data, convThenBn())).toBeLessThan(1e-5);
});

describe('Relu → Minimum(6) → Maximum(0)', () => {
  const graph = (reluConsumers = 1) => {
    const t = new TinyGraph();
    const relu = t.node('relu', 'Relu', [t.input('x', [1, 6])]);
    const mn = t.node('min', 'Minimum', [relu, t.konst('six', [], [6])]);
    t.node('max', 'Maximum', [mn, t.konst('zero', [], [0])]);
    const outs = ['max'];
    if (reluConsumers > 1) outs.push(t.node('other', 'Sigmoid', [relu]));
    return t.model(outs);
  };

  test('becomes one Clip with min 0 and max 6, and clips in onnxruntime', async () => {
    const rw = findRewrites(new TfGraph(graph()));
    expect(rw.counts.clips).toBe(1);
    expect(rw.clipOf.get('max')).toEqual({ input: 'x', max: 6 });
    const res = convertWith(graph(), OP_HANDLERS);
    expect(res.onnxOps).toEqual({ Clip: 1, Identity: 1 });
    const onnx = decodeModel(res.onnx);
    const clip = onnx.nodes.find((n) => n.opType === 'Clip')!;
    expect(onnx.init(clip.input[1]).values).toEqual([0]);
    expect(onnx.init(clip.input[2]).values).toEqual([6]);
    const out = await runOnnx(res.onnx, { name: 'x', dims: [1, 6], data: [-3, -0.5, 0, 2, 6, 9] });
    expect(out.max.data).toEqual([0, 0, 0, 2, 6, 6]);
  });

  test('is left alone when the Relu has another consumer', () => {
    const rw = findRewrites(new TfGraph(graph(2)));
    expect(rw.counts.clips).toBe(0);
    expect(convertWith(graph(2), OP_HANDLERS).onnxOps).toEqual({ Identity: 2, Max: 1, Min: 1, Relu: 1, Sigmoid: 1 });
  });
});

test('a standalone Relu6 is a Clip(0, 6) too', async () => {
  const t = new TinyGraph();
  t.node('y', 'Relu6', [t.input('x', [4])]);
  const res = convertWith(t.model(['y']), OP_HANDLERS);
  const onnx = decodeModel(res.onnx);
  const clip = onnx.nodes[0];
  expect(clip.opType).toBe('Clip');
  expect([onnx.init(clip.input[1]).values, onnx.init(clip.input[2]).values]).toEqual([[0], [6]]);
  expect((await runOnnx(res.onnx, { name: 'x', dims: [4], data: [-1, 3, 6.5, 100] })).y.data).toEqual([0, 3, 6, 6]);
});
