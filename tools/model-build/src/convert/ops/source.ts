// Where values come from: constants (materialised lazily, in the layout their consumer needs), graph
// inputs (rank-4 images as NCHW or NHWC, a dynamic batch), and the pass-through ops.
import { ElemType, type Dim } from '../../onnx-builder.js';
import type { OpTable } from '../context.js';
import { UnsupportedOpError } from '../graph.js';
import { NCHW_FROM_NHWC } from '../layout.js';

/** ONNX dims from TF dims: -1 becomes a named dynamic dim (`batch` for the first). */
export const onnxDims = (dims: number[]): Dim[] =>
  dims.map((d, i): Dim => (d < 0 ? { param: i === 0 ? 'batch' : `d${i}` } : { value: d }));

export const sourceOps: OpTable = {
  Const: (ctx, node) => {
    const c = ctx.constOf(node.name)!;
    return { name: '', shape: c.shape, dtype: c.dtype, nchw: false, constant: c };
  },
  Placeholder: (ctx, node) => {
    const dims = (node.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
    const dtype = node.attr?.dtype?.type;
    if (dtype !== 'DT_FLOAT') throw new UnsupportedOpError(node.op, node.name, `input dtype ${dtype}`);
    const asNchw = dims.length === 4 && ctx.inputLayout === 'NCHW';
    ctx.g.addInput(node.name, ElemType.FLOAT, onnxDims(asNchw ? NCHW_FROM_NHWC.map((i) => dims[i]) : dims));
    return { name: node.name, shape: dims, dtype: 'float32', nchw: asNchw };
  },
  Identity: (ctx, node) => ctx.valueOf(node.input![0]),
  Snapshot: (ctx, node) => ctx.valueOf(node.input![0]),
  StopGradient: (ctx, node) => ctx.valueOf(node.input![0]),
};
