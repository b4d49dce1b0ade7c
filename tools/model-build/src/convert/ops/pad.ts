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
  const value = node.op === 'PadV2' ? constInput(ctx, node, 2, 'constant_values').data[0] : 0;
  const embedded = mode === 'constant' && value === 0 ? channelEmbedding(ctx, node, x, pairs) : undefined;
  if (embedded) return embedded;
  // ONNX pads: all begins then all ends, in the ONNX axis order
  const order = x.nchw ? NCHW_FROM_NHWC.map((i) => pairs[i]) : pairs;
  const inputs = [x.nchw ? x.name : ctx.layout.plain(x, node.name)];
  const pads = [...order.map((q) => q[0]), ...order.map((q) => q[1])];
  inputs.push(ctx.g.initInt64(`${node.name}/pads`, [pads.length], pads));
  if (node.op === 'PadV2') inputs.push(ctx.g.initFloat(`${node.name}/value`, [], new Float32Array([value])));
  const shape = x.shape.map((d, i) => (d < 0 ? -1 : d + pairs[i][0] + pairs[i][1]));
  return { name: ctx.g.op('Pad', inputs, { mode }, node.name), shape, dtype: x.dtype, nchw: x.nchw };
}

/**
 * Zeros added to the channels of an NCHW value only (BlazeFace and FaceMesh widen their skip path
 * this way: MaxPool, then Pad from C to 2C channels) as a 1×1 Conv whose weights put input channel c
 * at output channel `before` + c: the same values (each output is one input times 1 plus zeros, or only
 * zeros), and an op onnxruntime keeps in its blocked NCHWc layout, where a Pad made it reorder the
 * tensor out of that layout and back (docs/performance.md, round 11). Undefined for any other padding.
 */
function channelEmbedding(ctx: ConvertContext, node: TfNode, x: Value, pairs: number[][]): Value | undefined {
  const channels = x.shape[3];
  const [before, after] = pairs[3] ?? [0, 0];
  const onlyChannels = pairs.every(([b, e], i) => i === 3 || (b === 0 && e === 0));
  if (!x.nchw || x.shape.length !== 4 || !(channels > 0) || !onlyChannels || before + after === 0) return undefined;
  const out = before + channels + after;
  const w = new Float32Array(out * channels);
  for (let c = 0; c < channels; c++) w[(before + c) * channels + c] = 1;
  const weights = ctx.g.initFloat(`${node.name}/embed`, [out, channels, 1, 1], w);
  const name = ctx.g.op('Conv', [x.name, weights], { kernel_shape: [1, 1] }, node.name);
  return { name, shape: [x.shape[0], x.shape[1], x.shape[2], out], dtype: x.dtype, nchw: true };
}

export const padOps: OpTable = { Pad: convertPad, PadV2: convertPad, MirrorPad: convertPad };
