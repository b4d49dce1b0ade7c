// Layout tracking. TF graphs here are NHWC; ONNX convolutions are NCHW. Every converted value carries
// a flag `nchw`: a rank-4 activation produced by a convolution/pooling op lives in ONNX as NCHW and is
// only transposed back to NHWC when an op needs TF's memory order (Reshape, StridedSlice, a graph
// output…). Element-wise ops work in whichever layout their activation input has; their constant
// operands are re-laid out at conversion time, so no Transpose is emitted inside the convolutional trunk.
//
// Shapes are tracked in TF (NHWC) order; -1 is an unknown (batch) dimension.
import type { OnnxGraphBuilder } from '../onnx-builder.js';
import type { ConstTensor, DType } from '../tfjs-model.js';

/** A converted TF tensor. */
export interface Value {
  /** ONNX value name ('' for a constant not yet materialised). */
  name: string;
  /** TF (NHWC) order, whatever the ONNX layout. */
  shape: number[];
  dtype: DType;
  /** The ONNX tensor is the NCHW transpose of the TF tensor. */
  nchw: boolean;
  constant?: ConstTensor;
}

/** A value with the shape, type and layout of `x` (an element-wise op's result). */
export const sameAs = (x: Value, name: string): Value => ({ name, shape: x.shape, dtype: x.dtype, nchw: x.nchw });

export const NCHW_FROM_NHWC = [0, 3, 1, 2];
export const NHWC_FROM_NCHW = [0, 2, 3, 1];
/** Position of TF (NHWC) axis a in the ONNX NCHW tensor. */
export const AXIS_IN_NCHW = [0, 2, 3, 1];

export const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/** Transposes a dense row-major array. `perm[i]` = source axis of output axis i. */
export function transposeData<T extends Float32Array | Int32Array>(
  data: T,
  shape: number[],
  perm: number[],
): { data: T; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const idx = new Array<number>(rank).fill(0);
  const permStrides = perm.map((p) => inStrides[p]);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += idx[i] * permStrides[i];
    out[o] = data[src];
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** Hands out a value in the layout an ONNX op needs, emitting (and caching) the Transposes. */
export class LayoutTracker {
  private readonly nchwCache = new Map<string, string>();
  private readonly plainCache = new Map<string, string>();

  constructor(private readonly g: OnnxGraphBuilder) {}

  /** An initializer for a constant value (once per value). */
  materialize(v: Value, hint: string): string {
    if (v.name) return v.name;
    v.name = this.init(hint, v.constant!.dtype, v.constant!.shape, v.constant!.data);
    return v.name;
  }

  /** The value as an ONNX NCHW tensor (rank 4). */
  nchw(v: Value, hint: string): string {
    if (v.shape.length !== 4) throw new Error(`${hint}: expected a rank-4 tensor, got [${v.shape}]`);
    if (v.constant && !v.name) return this.constNchw(v.constant, v.constant.shape, hint);
    return v.nchw ? v.name : this.transposed(v.name, this.nchwCache, NCHW_FROM_NHWC, 'to_nchw');
  }

  /** The value in TF memory order. */
  plain(v: Value, hint: string): string {
    if (!v.nchw) return this.materialize(v, hint);
    return this.transposed(v.name, this.plainCache, NHWC_FROM_NCHW, 'to_nhwc');
  }

  /** Operand of an element-wise op whose other side is NCHW: constants are re-laid out, not transposed at run time. */
  nchwOperand(v: Value, hint: string): string {
    if (v.nchw) return v.name;
    if (v.constant && !v.name) {
      const c = v.constant;
      if (numel(c.shape) === 1) return this.materialize(v, hint);
      if (c.shape.length > 4) throw new Error(`${hint}: constant of rank ${c.shape.length} against NCHW`);
      return this.constNchw(c, [...new Array<number>(4 - c.shape.length).fill(1), ...c.shape], hint);
    }
    if (v.shape.length === 4) return this.nchw(v, hint);
    if (numel(v.shape) === 1 && v.shape.every((d) => d === 1)) return v.name;
    throw new Error(
      `${hint}: broadcasting a rank-${v.shape.length} computed tensor against an NCHW activation is not supported`,
    );
  }

  /** The Transpose of a computed value, emitted once per value and direction. */
  private transposed(name: string, cache: Map<string, string>, perm: number[], suffix: string): string {
    const hit = cache.get(name);
    if (hit) return hit;
    const out = this.g.op('Transpose', [name], { perm }, `${name}/${suffix}`);
    cache.set(name, out);
    return out;
  }

  /** A constant of rank 4 (`shape4`, NHWC) stored transposed to NCHW. */
  private constNchw(c: ConstTensor, shape4: number[], hint: string): string {
    const t = transposeData(c.data, shape4, NCHW_FROM_NHWC);
    return this.init(`${hint}_nchw`, c.dtype, t.shape, t.data);
  }

  private init(hint: string, dtype: DType, shape: number[], data: Float32Array | Int32Array): string {
    return dtype === 'float32'
      ? this.g.initFloat(hint, shape, data as Float32Array)
      : this.g.initInt32(hint, shape, data as Int32Array);
  }
}
