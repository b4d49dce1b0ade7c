// Convolutions (Conv2D, depthwise, and their `_Fused*` forms with BiasAdd or FusedBatchNorm and an
// activation) → ONNX Conv on NCHW, with the affine of rewrite 1 folded into weights and bias.
import type { ConstTensor, TfNode } from '../../tfjs-model.js';
import type { ConvertContext, OpTable } from '../context.js';
import { b64, fusedOps, ints, UnsupportedOpError } from '../graph.js';
import { transposeData, type Value } from '../layout.js';
import { applyFold, foldBatchNorm, perChannel } from '../rewrites.js';
import { fusedActivation } from './activation.js';

/** Output size of a convolution/pooling window along one spatial axis (-1 stays unknown). */
export function convOutSize(
  inp: number,
  k: number,
  stride: number,
  dilation: number,
  padding: string,
  padBegin = 0,
  padEnd = 0,
): number {
  if (inp < 0) return -1;
  const ek = (k - 1) * dilation + 1;
  if (padding === 'SAME') return Math.ceil(inp / stride);
  if (padding === 'VALID') return Math.ceil((inp - ek + 1) / stride);
  return Math.floor((inp + padBegin + padEnd - ek) / stride) + 1;
}

/** TF SAME padding: the odd pixel goes at the end (ONNX SAME_UPPER), computed explicitly. */
export function samePads(inp: number, k: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(inp / stride);
  const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - inp, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** ONNX pads [h0, w0, h1, w1] for TF SAME padding of an [H, W] input. */
export function samePads2d(H: number, W: number, k: number[], strides: number[], dil: number[]): number[] {
  const ph = samePads(H, k[0], strides[0], dil[0]);
  const pw = samePads(W, k[1], strides[1], dil[1]);
  return [ph[0], pw[0], ph[1], pw[1]];
}

/** The NHWC data_format check every spatial op makes. */
export function requireNhwc(node: TfNode): void {
  const fmt = b64(node.attr?.data_format?.s) || 'NHWC';
  if (fmt !== 'NHWC') throw new UnsupportedOpError(node.op, node.name, `data_format ${fmt}`);
}

function convPads(node: TfNode, H: number, W: number, kh: number, kw: number, strides: number[], dil: number[]) {
  const a = node.attr ?? {};
  const padding = b64(a.padding?.s) || 'VALID';
  if (padding === 'SAME') {
    if (H < 0 || W < 0) throw new Error(`${node.name}: SAME padding needs static spatial dims`);
    return { padding, pads: samePads2d(H, W, [kh, kw], strides.slice(1, 3), dil.slice(1, 3)) };
  }
  if (padding === 'VALID') return { padding, pads: [0, 0, 0, 0] };
  if (padding === 'EXPLICIT') {
    const e = ints(a.explicit_paddings); // [[n0,n1],[h0,h1],[w0,w1],[c0,c1]]
    return { padding, pads: [e[2], e[4], e[3], e[5]] };
  }
  throw new UnsupportedOpError(node.op, node.name, `padding ${padding}`);
}

/** The TF filter as ONNX Conv weights ([outC, inC/group, kh, kw]). */
function convWeights(node: TfNode, fc: ConstTensor, C: number) {
  const [kh, kw, cin, cm] = fc.shape;
  if (node.op.includes('Depthwise')) {
    const t = transposeData(fc.data as Float32Array, fc.shape, [2, 3, 0, 1]);
    return { weight: t.data, wShape: [cin * cm, 1, kh, kw], outC: cin * cm, group: cin };
  }
  const t = transposeData(fc.data as Float32Array, fc.shape, [3, 2, 0, 1]);
  let group = 1;
  if (C > 0 && C !== cin) {
    if (C % cin) throw new Error(`${node.name}: ${C} input channels vs filter ${cin}`);
    group = C / cin;
  }
  return { weight: t.data, wShape: t.shape, outC: cm, group };
}

/** Bias and activation of a `_Fused*` conv; a fused batch norm is folded into `weight` (in place). */
function fusedConvTail(ctx: ConvertContext, node: TfNode, weight: Float32Array, outC: number) {
  let bias: Float32Array | null = null;
  let act: string | undefined;
  let alpha: ConstTensor | undefined;
  if (node.op.startsWith('_Fused') || node.op.startsWith('Fused')) {
    const fused = fusedOps(node);
    const args = ctx.graph
      .dataInputs(node)
      .slice(2)
      .map((i) => ctx.constOf(i.node));
    if (args.some((t) => !t)) throw new UnsupportedOpError(node.op, node.name, 'non-constant fused argument');
    if (fused[0] === 'BiasAdd') {
      bias = perChannel(args[0], outC);
      if (!bias) throw new Error(`${node.name}: bias shape`);
      act = fused[1];
      if (act === 'Prelu') alpha = args[1];
    } else if (fused[0] === 'FusedBatchNorm') {
      const [scale, offset, mean, variance] = args.map((t) => perChannel(t, outC));
      if (!scale || !offset || !mean || !variance) throw new Error(`${node.name}: batch-norm argument shapes`);
      bias = foldBatchNorm(weight, outC, { scale, offset, mean, variance, eps: node.attr?.epsilon?.f ?? 0.001 });
      act = fused[1];
      if (act === 'Prelu') alpha = args[4];
    } else if (fused.length) {
      throw new UnsupportedOpError(node.op, node.name, `fused ops ${fused.join('+')}`);
    }
    if (fused.length > 2) throw new UnsupportedOpError(node.op, node.name, `fused ops ${fused.join('+')}`);
  }
  return { bias, act, alpha };
}

function convertConv(ctx: ConvertContext, node: TfNode): Value {
  const ins = ctx.graph.dataInputs(node);
  const x = ctx.valueOf(node.input![0]);
  const fc = ctx.constOf(ins[1].node);
  if (!fc) throw new UnsupportedOpError(node.op, node.name, 'filter is not a constant');
  const a = node.attr ?? {};
  requireNhwc(node);
  if (x.shape.length !== 4) throw new Error(`${node.name}: input rank ${x.shape.length}`);
  const [kh, kw] = fc.shape;
  const strides = ints(a.strides).length ? ints(a.strides) : [1, 1, 1, 1];
  const dil = ints(a.dilations).length ? ints(a.dilations) : [1, 1, 1, 1];
  const [, H, W, C] = x.shape;
  const { padding, pads } = convPads(node, H, W, kh, kw, strides, dil);
  const { weight, wShape, outC, group } = convWeights(node, fc, C);
  const tail = fusedConvTail(ctx, node, weight, outC);
  const fold = ctx.rewrites.folds.get(node.name);
  const bias = fold ? applyFold(weight, tail.bias, outC, fold) : tail.bias;
  const inputs = [ctx.layout.nchw(x, node.name), ctx.g.initFloat(`${node.name}/W`, wShape, weight)];
  if (bias) inputs.push(ctx.g.initFloat(`${node.name}/B`, [outC], bias));
  const y = ctx.g.op(
    'Conv',
    inputs,
    { dilations: [dil[1], dil[2]], group, kernel_shape: [kh, kw], pads, strides: [strides[1], strides[2]] },
    node.name,
  );
  const shape = [
    x.shape[0],
    convOutSize(H, kh, strides[1], dil[1], padding, pads[0], pads[2]),
    convOutSize(W, kw, strides[2], dil[2], padding, pads[1], pads[3]),
    outC,
  ];
  return {
    name: fusedActivation(ctx, y, tail.act, node, shape, true, tail.alpha),
    shape,
    dtype: 'float32',
    nchw: true,
  };
}

export const convOps: OpTable = {
  Conv2D: convertConv,
  _FusedConv2D: convertConv,
  DepthwiseConv2dNative: convertConv,
  FusedDepthwiseConv2dNative: convertConv,
};
