// Pooling: MaxPool and AvgPool (NHWC windows over H and W) → ONNX MaxPool/AveragePool on NCHW.
import type { AttrValue } from '../../onnx-builder.js';
import type { TfNode } from '../../tfjs-model.js';
import type { ConvertContext, OpTable } from '../context.js';
import { b64, ints, UnsupportedOpError } from '../graph.js';
import type { Value } from '../layout.js';
import { convOutSize, requireNhwc, samePads2d } from './conv.js';

function convertPool(ctx: ConvertContext, node: TfNode): Value {
  const x = ctx.valueOf(node.input![0]);
  const a = node.attr ?? {};
  requireNhwc(node);
  const k = ints(a.ksize);
  const s = ints(a.strides);
  if (k[0] !== 1 || k[3] !== 1 || s[0] !== 1 || s[3] !== 1)
    throw new UnsupportedOpError(node.op, node.name, 'pooling over batch/channels');
  const padding = b64(a.padding?.s);
  const [, H, W, C] = x.shape;
  let pads = [0, 0, 0, 0];
  if (padding === 'SAME') pads = samePads2d(H, W, [k[1], k[2]], [s[1], s[2]], [1, 1]);
  else if (padding !== 'VALID') throw new UnsupportedOpError(node.op, node.name, `padding ${padding}`);
  const attrs: Record<string, AttrValue> = { kernel_shape: [k[1], k[2]], pads, strides: [s[1], s[2]] };
  // TF's AvgPool divides by the number of valid (unpadded) inputs
  if (node.op === 'AvgPool') attrs.count_include_pad = 0;
  const onnxOp = node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool';
  const y = ctx.g.op(onnxOp, [ctx.layout.nchw(x, node.name)], attrs, node.name);
  const shape = [x.shape[0], convOutSize(H, k[1], s[1], 1, padding), convOutSize(W, k[2], s[2], 1, padding), C];
  return { name: y, shape, dtype: x.dtype, nchw: true };
}

export const poolOps: OpTable = { MaxPool: convertPool, AvgPool: convertPool };
