// Padding: Pad, PadV2 (constant value) and MirrorPad (REFLECT) → ONNX Pad, in the input's layout.
import type { TfNode } from '../../tfjs-model.js';
import type { ConvertContext, OpTable } from '../context.js';
import { b64, UnsupportedOpError } from '../graph.js';
import { NCHW_FROM_NHWC, type Value } from '../layout.js';
import { constInput } from './shape.js';

function convertPad(ctx: ConvertContext, node: TfNode): Value {
  const x = ctx.valueOf(node.input![0]);
  const p = constInput(ctx, node, 1, 'paddings');
  const rank = x.shape.length;
  const pairs = Array.from({ length: rank }, (_, i) => [Number(p.data[2 * i]), Number(p.data[2 * i + 1])]);
  let mode = 'constant';
  if (node.op === 'MirrorPad') {
    const m = b64(node.attr?.mode?.s);
    if (m !== 'REFLECT') throw new UnsupportedOpError(node.op, node.name, `mode ${m} (ONNX Pad has reflect only)`);
    mode = 'reflect';
  }
  // ONNX pads: all begins then all ends, in the ONNX axis order
  const order = x.nchw ? NCHW_FROM_NHWC.map((i) => pairs[i]) : pairs;
  const inputs = [x.nchw ? x.name : ctx.layout.plain(x, node.name)];
  const pads = [...order.map((q) => q[0]), ...order.map((q) => q[1])];
  inputs.push(ctx.g.initInt64(`${node.name}/pads`, [pads.length], pads));
  if (node.op === 'PadV2') {
    const cv = constInput(ctx, node, 2, 'constant_values');
    inputs.push(ctx.g.initFloat(`${node.name}/value`, [], new Float32Array([cv.data[0]])));
  }
  const shape = x.shape.map((d, i) => (d < 0 ? -1 : d + pairs[i][0] + pairs[i][1]));
  return { name: ctx.g.op('Pad', inputs, { mode }, node.name), shape, dtype: x.dtype, nchw: x.nchw };
}

export const padOps: OpTable = { Pad: convertPad, PadV2: convertPad, MirrorPad: convertPad };
