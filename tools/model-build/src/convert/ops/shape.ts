// Shape ops: Reshape, Squeeze, ExpandDims and Transpose (in TF memory order), ConcatV2 (NCHW when an
// input already is).
import type { TfNode } from '../../tfjs-model.js';
import type { ConvertContext, OpTable } from '../context.js';
import { ints, parseInput, UnsupportedOpError } from '../graph.js';
import { AXIS_IN_NCHW, numel, type Value } from '../layout.js';

/** The constant second input of a node (shape, axis, perm…), or an UnsupportedOpError naming it. */
export function constInput(ctx: ConvertContext, node: TfNode, index: number, what: string) {
  const c = ctx.constOf(ctx.graph.dataInputs(node)[index].node);
  if (!c) throw new UnsupportedOpError(node.op, node.name, `${what} must be a constant`);
  return c;
}

/** An ONNX op on the plain input and one int64 initializer (`<node>/<suffix>`). */
function plainWithInts(ctx: ConvertContext, node: TfNode, x: Value, onnxOp: string, suffix: string, v: number[]) {
  const input = ctx.layout.plain(x, node.name);
  return ctx.g.op(onnxOp, [input, ctx.g.initInt64(`${node.name}/${suffix}`, [v.length], v)], {}, node.name);
}

export const shapeOps: OpTable = {
  Reshape: (ctx, node) => {
    const x = ctx.valueOf(node.input![0]);
    const sc = constInput(ctx, node, 1, 'shape');
    const target = Array.from(sc.data);
    if (target.includes(0)) throw new UnsupportedOpError(node.op, node.name, 'zero-sized dimension');
    const known = numel(x.shape.filter((d) => d >= 0));
    const unknownIn = x.shape.filter((d) => d < 0).length;
    const shape = target.slice();
    const neg = target.indexOf(-1);
    if (neg >= 0 && !unknownIn) shape[neg] = known / numel(target.filter((d) => d !== -1));
    return { name: plainWithInts(ctx, node, x, 'Reshape', 'shape', target), shape, dtype: x.dtype, nchw: false };
  },
  Squeeze: (ctx, node) => {
    const x = ctx.valueOf(node.input![0]);
    const rank = x.shape.length;
    let axes = ints(node.attr?.squeeze_dims).map((a) => (a < 0 ? a + rank : a));
    if (!axes.length) axes = x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
    const shape = x.shape.filter((_, i) => !axes.includes(i));
    return { name: plainWithInts(ctx, node, x, 'Squeeze', 'axes', axes), shape, dtype: x.dtype, nchw: false };
  },
  ExpandDims: (ctx, node) => {
    const x = ctx.valueOf(node.input![0]);
    let axis = Number(constInput(ctx, node, 1, 'axis').data[0]);
    if (axis < 0) axis += x.shape.length + 1;
    const shape = [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)];
    return { name: plainWithInts(ctx, node, x, 'Unsqueeze', 'axes', [axis]), shape, dtype: x.dtype, nchw: false };
  },
  Transpose: (ctx, node) => {
    const x = ctx.valueOf(node.input![0]);
    const perm = Array.from(constInput(ctx, node, 1, 'perm').data);
    const shape = perm.map((p) => x.shape[p]);
    const onnxPerm = x.nchw ? perm.map((p) => AXIS_IN_NCHW[p]) : perm;
    const y = ctx.g.op('Transpose', [x.nchw ? x.name : ctx.layout.plain(x, node.name)], { perm: onnxPerm }, node.name);
    return { name: y, shape, dtype: x.dtype, nchw: false };
  },
  Concat: (_ctx, node) => {
    throw new UnsupportedOpError(node.op, node.name, 'legacy Concat (axis first)');
  },
  ConcatV2: (ctx, node) => {
    const ins = node.input!.filter((i) => !i.startsWith('^'));
    const n = ins.length - 1;
    const axisC = ctx.constOf(parseInput(ins[n])!.node);
    if (!axisC) throw new UnsupportedOpError(node.op, node.name, 'axis must be a constant');
    const parts = ins.slice(0, n).map((t) => ctx.valueOf(t));
    const rank = parts[0].shape.length;
    let axis = Number(axisC.data[0]);
    if (axis < 0) axis += rank;
    const useNchw = rank === 4 && parts.some((p) => p.nchw);
    const names = parts.map((p, i) =>
      useNchw ? ctx.layout.nchw(p, `${node.name}/${i}`) : ctx.layout.plain(p, `${node.name}/${i}`),
    );
    const shape = parts[0].shape.slice();
    shape[axis] = parts.some((p) => p.shape[axis] < 0) ? -1 : parts.reduce((s, p) => s + p.shape[axis], 0);
    const y = ctx.g.op('Concat', names, { axis: useNchw ? AXIS_IN_NCHW[axis] : axis }, node.name);
    return { name: y, shape, dtype: parts[0].dtype, nchw: useNchw };
  },
};
