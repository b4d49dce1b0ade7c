// StridedSlice (begin/end/shrink masks; no ellipsis or new axes) → ONNX Slice [+ Squeeze], in TF order.
import type { TfNode } from '../../tfjs-model.js';
import type { ConvertContext, OpTable } from '../context.js';
import { int, UnsupportedOpError } from '../graph.js';
import type { Value } from '../layout.js';

const INT64_MAX = Number.MAX_SAFE_INTEGER;

function convertStridedSlice(ctx: ConvertContext, node: TfNode): Value {
  const ins = ctx.graph.dataInputs(node);
  const x = ctx.valueOf(node.input![0]);
  const [bc, ec, sc] = ins.slice(1, 4).map((i) => ctx.constOf(i.node));
  if (!bc || !ec || !sc) throw new UnsupportedOpError(node.op, node.name, 'begin/end/strides must be constants');
  const a = node.attr ?? {};
  const beginMask = int(a.begin_mask, 0);
  const endMask = int(a.end_mask, 0);
  const shrink = int(a.shrink_axis_mask, 0);
  if (int(a.ellipsis_mask, 0) || int(a.new_axis_mask, 0))
    throw new UnsupportedOpError(node.op, node.name, 'ellipsis/new-axis masks');
  const n = bc.data.length;
  const starts: number[] = [];
  const ends: number[] = [];
  const steps: number[] = [];
  const axes: number[] = [];
  const shape = x.shape.slice();
  for (let i = 0; i < n; i++) {
    const step = Number(sc.data[i]);
    let b = Number(bc.data[i]);
    let e = Number(ec.data[i]);
    if (shrink & (1 << i)) {
      e = b === -1 ? INT64_MAX : b + 1;
    } else {
      if (beginMask & (1 << i)) b = step > 0 ? 0 : INT64_MAX;
      if (endMask & (1 << i)) e = step > 0 ? INT64_MAX : -INT64_MAX;
    }
    starts.push(b);
    ends.push(e);
    steps.push(step);
    axes.push(i);
    const d = x.shape[i];
    if (d >= 0) {
      const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
      const bb = clamp(b < 0 ? b + d : b, step > 0 ? 0 : -1, step > 0 ? d : d - 1);
      const ee = clamp(e < 0 && e > -INT64_MAX ? e + d : e, step > 0 ? 0 : -1, step > 0 ? d : d - 1);
      shape[i] = Math.max(0, Math.ceil((ee - bb) / step));
    }
  }
  const g = ctx.g;
  let y = g.op(
    'Slice',
    [
      ctx.layout.plain(x, node.name),
      g.initInt64(`${node.name}/starts`, [n], starts),
      g.initInt64(`${node.name}/ends`, [n], ends),
      g.initInt64(`${node.name}/axes`, [n], axes),
      g.initInt64(`${node.name}/steps`, [n], steps),
    ],
    {},
    node.name,
  );
  const shrinkAxes = axes.filter((i) => shrink & (1 << i));
  if (shrinkAxes.length)
    y = g.op(
      'Squeeze',
      [y, g.initInt64(`${node.name}/shrink`, [shrinkAxes.length], shrinkAxes)],
      {},
      `${node.name}/shrink`,
    );
  return { name: y, shape: shape.filter((_, i) => !shrinkAxes.includes(i)), dtype: x.dtype, nchw: false };
}

export const sliceOps: OpTable = { StridedSlice: convertStridedSlice };
