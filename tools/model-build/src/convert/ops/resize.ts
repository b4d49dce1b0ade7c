// Image resizing: ResizeBilinear and ResizeNearestNeighbor (TF's align_corners / half_pixel_centers)
// → ONNX Resize-13 on NCHW with scales, so a dynamic batch is kept.
import type { AttrValue } from '../../onnx-builder.js';
import type { TfNode } from '../../tfjs-model.js';
import type { ConvertContext, OpTable } from '../context.js';
import { bool, UnsupportedOpError } from '../graph.js';
import type { Value } from '../layout.js';
import { constInput } from './shape.js';

/** ONNX Resize attributes reproducing TF's sampling of a resize node. */
export function resizeAttrs(node: TfNode): Record<string, AttrValue> {
  const alignCorners = bool(node.attr?.align_corners, false);
  const halfPixel = bool(node.attr?.half_pixel_centers, false);
  const bilinear = node.op === 'ResizeBilinear';
  const mode = alignCorners
    ? 'align_corners'
    : halfPixel
      ? bilinear
        ? 'half_pixel'
        : 'tf_half_pixel_for_nn'
      : 'asymmetric';
  const attrs: Record<string, AttrValue> = {
    coordinate_transformation_mode: mode,
    mode: bilinear ? 'linear' : 'nearest',
  };
  if (!bilinear) attrs.nearest_mode = alignCorners ? 'round_prefer_ceil' : 'floor';
  return attrs;
}

function convertResize(ctx: ConvertContext, node: TfNode): Value {
  const x = ctx.valueOf(node.input![0]);
  const [h, w] = Array.from(constInput(ctx, node, 1, 'size').data);
  const [, H, W, C] = x.shape;
  if (H < 0 || W < 0) throw new UnsupportedOpError(node.op, node.name, 'dynamic spatial input');
  // Resize-13 with `scales` keeps a dynamic batch; output size = floor(in * scale) = (h, w) exactly.
  const scales = new Float32Array([1, 1, h / H, w / W]);
  const y = ctx.g.op(
    'Resize',
    [ctx.layout.nchw(x, node.name), '', ctx.g.initFloat(`${node.name}/scales`, [4], scales)],
    resizeAttrs(node),
    node.name,
  );
  return { name: y, shape: [x.shape[0], h, w, C], dtype: x.dtype, nchw: true };
}

export const resizeOps: OpTable = { ResizeBilinear: convertResize, ResizeNearestNeighbor: convertResize };
