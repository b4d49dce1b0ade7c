// Reductions: Mean, Sum, Max, Min, Prod → ONNX Reduce*, staying NCHW when the kept axes allow it.
import type { TfNode } from '../../tfjs-model.js';
import type { ConvertContext, OpTable } from '../context.js';
import { bool } from '../graph.js';
import { AXIS_IN_NCHW, type Value } from '../layout.js';
import { constInput } from './shape.js';

const REDUCE_OPS: Record<string, string> = {
  Mean: 'ReduceMean',
  Sum: 'ReduceSum',
  Max: 'ReduceMax',
  Min: 'ReduceMin',
  Prod: 'ReduceProd',
};

function convertReduce(ctx: ConvertContext, node: TfNode): Value {
  const x = ctx.valueOf(node.input![0]);
  const rank = x.shape.length;
  const axes = Array.from(constInput(ctx, node, 1, 'axes').data, (v) => (v < 0 ? v + rank : v));
  const keep = bool(node.attr?.keep_dims, false);
  const onnxOp = REDUCE_OPS[node.op];
  const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  if (x.nchw) {
    // the kept dims of NCHW are in TF order when C is reduced or both H and W are
    const keptTf = [0, 1, 2, 3].filter((i) => !axes.includes(i));
    const keptOnnx = [0, 3, 1, 2].filter((i) => !axes.includes(i));
    if (keep || keptTf.join() === keptOnnx.join()) {
      const onnxAxes = axes.map((a) => AXIS_IN_NCHW[a]).sort();
      const y = ctx.g.op(onnxOp, [x.name], { axes: onnxAxes, keepdims: keep ? 1 : 0 }, node.name);
      return { name: y, shape, dtype: x.dtype, nchw: keep };
    }
  }
  // opset 13: ReduceSum takes its axes as an input, the others as an attribute
  const y =
    onnxOp === 'ReduceSum'
      ? ctx.g.op(
          onnxOp,
          [ctx.layout.plain(x, node.name), ctx.g.initInt64(`${node.name}/axes`, [axes.length], axes)],
          { keepdims: keep ? 1 : 0 },
          node.name,
        )
      : ctx.g.op(onnxOp, [ctx.layout.plain(x, node.name)], { axes, keepdims: keep ? 1 : 0 }, node.name);
  return { name: y, shape, dtype: x.dtype, nchw: false };
}

export const reduceOps: OpTable = Object.fromEntries(Object.keys(REDUCE_OPS).map((op) => [op, convertReduce]));
