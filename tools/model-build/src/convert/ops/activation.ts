// Activations: the standalone TF ops and the activations fused into `_Fused*` conv/matmul nodes.
import type { AttrValue } from '../../onnx-builder.js';
import type { ConstTensor, TfNode } from '../../tfjs-model.js';
import type { ConvertContext, OpTable } from '../context.js';
import { parseInput, UnsupportedOpError } from '../graph.js';
import { perChannel } from '../rewrites.js';
import { sameAs } from '../layout.js';
import { sameNamedUnary, unaryInput } from './elementwise.js';

/** ReLU6 as Clip(x, 0, 6). */
export function relu6(ctx: ConvertContext, x: string, hint: string): string {
  const zero = ctx.g.initFloat('zero', [], new Float32Array([0]));
  return ctx.g.op('Clip', [x, zero, ctx.g.initFloat('six', [], new Float32Array([6]))], {}, hint);
}

/**
 * PRelu(x, slope) as Relu(x) + slope · Min(x, 0): the same values bit for bit (one of the two terms
 * is exactly 0), in four branch-free element-wise ops. onnxruntime's own PRelu kernel takes a branch
 * per element, so its speed depends on the signs in the data: FaceMesh (28 PRelu) ran a batch of
 * 6×192² in ~11 ms on a constant input and ~25 ms on a random one; written this way, ~11 ms on both
 * (docs/performance.md, round 5). For an NCHW value with a constant slope, `preluNchw` is used instead.
 */
export function prelu(ctx: ConvertContext, x: string, slope: string, hint: string): string {
  const g = ctx.g;
  const zero = g.initFloat('zero', [], new Float32Array([0]));
  const pos = g.op('Relu', [x], {}, `${hint}/pos`);
  const neg = g.op('Mul', [g.op('Min', [x, zero], {}, `${hint}/neg`), slope], {}, `${hint}/slope`);
  return g.op('Add', [pos, neg], {}, hint);
}

/**
 * PRelu of an NCHW value with a constant per-channel slope, in ops onnxruntime runs in its blocked
 * NCHWc layout: Relu(x) + Conv₁ₓ₁(Relu(Conv₁ₓ₁(x; −1)); −slope), both convolutions depthwise. The
 * per-channel Mul and the Min of `prelu` have no NCHWc kernel, so each PRelu there cost onnxruntime two
 * layout reorders on top of four element-wise passes (FaceMesh: 40 % of its time in Add, Relu, Min and
 * Mul and 21 % in reorders; now Conv 88 %, as `nx run model-build:bench` prints by operator). Here the negation and the slope are depthwise 1×1 convolutions, the Relu after
 * the first fuses into it and the Add into the second. The values are those of `prelu`, bit for bit:
 * for x < 0 the sum is (−slope)·(−x) + 0 = slope·x, for x ≥ 0 it is (−slope)·0 + x = x, each a single
 * rounding of the same product (docs/performance.md, round 11).
 */
export function preluNchw(ctx: ConvertContext, x: string, slope: Float32Array, hint: string): string {
  const g = ctx.g;
  const c = slope.length;
  const depthwise = (input: string, w: Float32Array, name: string) =>
    g.op('Conv', [input, g.initFloat(`${name}/w`, [c, 1, 1, 1], w)], { group: c, kernel_shape: [1, 1] }, name);
  const pos = g.op('Relu', [x], {}, `${hint}/pos`);
  const negated = g.op('Relu', [depthwise(x, new Float32Array(c).fill(-1), `${hint}/negate`)], {}, `${hint}/neg`);
  const neg = depthwise(
    negated,
    slope.map((v) => -v),
    `${hint}/slope`,
  );
  return g.op('Add', [neg, pos], {}, hint);
}

/**
 * The activation fused into `node` (`act` from its fused_ops) applied to the ONNX value `x` of TF
 * shape `shape`; `alpha` is Prelu's constant slope.
 */
export function fusedActivation(
  ctx: ConvertContext,
  x: string,
  act: string | undefined,
  node: TfNode,
  shape: number[],
  isNchw: boolean,
  alpha?: ConstTensor,
): string {
  if (!act) return x;
  const g = ctx.g;
  const hint = `${node.name}/${act}`;
  switch (act) {
    case 'Relu':
      return g.op('Relu', [x], {}, hint);
    case 'Relu6':
      return relu6(ctx, x, hint);
    case 'Elu':
      return g.op('Elu', [x], { alpha: { float: 1 } }, hint);
    case 'Sigmoid':
      return g.op('Sigmoid', [x], {}, hint);
    case 'Tanh':
      return g.op('Tanh', [x], {}, hint);
    case 'LeakyRelu':
      return g.op('LeakyRelu', [x], { alpha: { float: node.attr?.leakyrelu_alpha?.f ?? 0.2 } }, hint);
    case 'Prelu': {
      if (!alpha) throw new UnsupportedOpError(node.op, node.name, 'Prelu without a constant alpha');
      const c = shape[shape.length - 1];
      const a = perChannel(alpha, c);
      if (!a) throw new UnsupportedOpError(node.op, node.name, `Prelu alpha of shape [${alpha.shape}]`);
      if (isNchw) return preluNchw(ctx, x, a, hint);
      return prelu(ctx, x, g.initFloat(`${node.name}/alpha`, [c], a), hint);
    }
    default:
      throw new UnsupportedOpError(node.op, node.name, `fused activation ${act}`);
  }
}

const withAlpha = (ctx: ConvertContext, node: TfNode, attrs: Record<string, AttrValue>) => {
  const { x, name } = unaryInput(ctx, node);
  return sameAs(x, ctx.g.op(node.op, [name], attrs, node.name));
};

const softmax = (ctx: ConvertContext, node: TfNode) => {
  const { x, name } = unaryInput(ctx, node);
  const axis = x.nchw ? 1 : x.shape.length - 1;
  return sameAs(x, ctx.g.op(node.op, [name], { axis }, node.name));
};

export const activationOps: OpTable = {
  ...sameNamedUnary(['Relu', 'Sigmoid', 'Tanh', 'Softplus']),
  Relu6: (ctx, node) => {
    const { x, name } = unaryInput(ctx, node);
    return sameAs(x, relu6(ctx, name, `${node.name}/Relu6`));
  },
  Elu: (ctx, node) => withAlpha(ctx, node, { alpha: { float: 1 } }),
  LeakyRelu: (ctx, node) => withAlpha(ctx, node, { alpha: { float: node.attr?.alpha?.f ?? 0.2 } }),
  Prelu: (ctx, node) => {
    const x = ctx.valueOf(node.input![0]);
    const slope = x.nchw ? perChannel(ctx.constOf(parseInput(node.input![1])?.node ?? ''), x.shape[3]) : null;
    if (slope && x.shape[3] > 0) return sameAs(x, preluNchw(ctx, x.name, slope, node.name));
    const alpha = ctx.valueOf(node.input![1]);
    const hint = `${node.name}/alpha`;
    const ia = x.nchw ? ctx.layout.nchwOperand(alpha, hint) : ctx.layout.plain(alpha, hint);
    const name = prelu(ctx, x.nchw ? x.name : ctx.layout.plain(x, node.name), ia, node.name);
    return sameAs(x, name);
  },
  Softmax: softmax,
  LogSoftmax: softmax,
};
