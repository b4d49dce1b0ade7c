// TensorFlow GraphDef (as stored in a TF.js graph model) → ONNX (opset 13).
//
// Layout: TF graphs here are NHWC; ONNX convolutions are NCHW. Every converted value carries a flag
// `nchw`: a rank-4 activation produced by a convolution/pooling op lives in ONNX as NCHW and is only
// transposed back to NHWC when an op needs TF's memory order (Reshape, StridedSlice, a graph output…).
// Element-wise ops work in whichever layout their activation input has; their constant operands are
// re-laid out at conversion time, so no Transpose is emitted inside the convolutional trunk.
//
// Shapes are tracked in TF (NHWC) order during conversion; -1 is an unknown (batch) dimension.
//
// Exact graph rewrites done before conversion (both are algebraic identities, not approximations):
//   * Conv2D/DepthwiseConv2dNative → Mul(per-channel const) → Add/BiasAdd(per-channel const): the
//     scale and offset (batch-norm left unfused by the TF exporter) are folded into weights/bias;
//   * Relu → Minimum(c) → Maximum(m ≤ 0) (Keras' ReLU(max_value=c)) becomes one Clip(0, c).
//
// Any op this file does not know throws an Error naming the op and node: a model must never be
// converted partially.
import type { ConstTensor, DType, TfAttr, TfGraphModel, TfNode } from './tfjs-model.js';
import { ElemType, OnnxGraphBuilder, type AttrValue, type Dim } from './onnx-builder.js';

export interface ConvertOptions {
  /** Layout of the ONNX graph input for rank-4 image inputs. Default NCHW (what the runtime feeds). */
  inputLayout?: 'NCHW' | 'NHWC';
  /** Names for the ONNX outputs, keyed by the TF signature tensor name (e.g. `Identity:0`). */
  outputNames?: Record<string, string>;
  /** Graph name stored in the ONNX file. */
  graphName?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

export interface ConvertedIo {
  name: string;
  /** Shape as the ONNX graph has it (-1: dynamic). */
  shape: number[];
  layout: 'NCHW' | 'NHWC' | 'plain';
  /** TF tensor name it corresponds to. */
  tfName: string;
}

export interface ConvertResult {
  onnx: Uint8Array;
  inputs: ConvertedIo[];
  outputs: ConvertedIo[];
  /** ONNX op → count, for the build report. */
  onnxOps: Record<string, number>;
  /** TF op → count of the nodes actually converted (after pruning to the outputs). */
  tfOps: Record<string, number>;
  rewrites: { foldedAffine: number; clips: number };
}

interface Value {
  /** ONNX value name ('' for a constant not yet materialised). */
  name: string;
  shape: number[];
  dtype: DType;
  nchw: boolean;
  constant?: ConstTensor;
}

const NCHW_FROM_NHWC = [0, 3, 1, 2];
const NHWC_FROM_NCHW = [0, 2, 3, 1];
/** Position of TF (NHWC) axis a in the ONNX NCHW tensor. */
const AXIS_IN_NCHW = [0, 2, 3, 1];

const b64 = (s: string | undefined): string => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));
const ints = (a: TfAttr | undefined): number[] => (a?.list?.i ?? []).map((x) => Number(x));
const int = (a: TfAttr | undefined, def: number): number => (a?.i === undefined ? def : Number(a.i));
const bool = (a: TfAttr | undefined, def: boolean): boolean => (a?.b === undefined ? def : a.b);
const numel = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export class UnsupportedOpError extends Error {
  constructor(
    readonly op: string,
    readonly nodeName: string,
    detail = '',
  ) {
    super(`unsupported TF op "${op}" (node "${nodeName}")${detail ? `: ${detail}` : ''}`);
    this.name = 'UnsupportedOpError';
  }
}

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

function broadcastShapes(a: number[], b: number[], where: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x === 1) out.push(y);
    else if (y === 1 || x === y) out.push(x);
    else if (x === -1 || y === -1) out.push(Math.max(x, y));
    else throw new Error(`${where}: shapes [${a}] and [${b}] do not broadcast`);
  }
  return out;
}

/** Per-channel vector of a constant broadcast against the last (channel) axis, or null. */
function perChannel(c: ConstTensor | undefined, channels: number): Float32Array | null {
  if (!c || c.dtype !== 'float32') return null;
  const n = numel(c.shape);
  if (n === 1) return new Float32Array(channels).fill(c.data[0]);
  if (n !== channels || c.shape[c.shape.length - 1] !== channels) return null;
  return Float32Array.from(c.data);
}

function convOutSize(
  inp: number,
  k: number,
  stride: number,
  dilation: number,
  padding: string,
  padBegin = 0,
  padEnd = 0,
): number {
  if (inp < 0) return -1;
  const ek = (k - 1) * dilation + 1;
  if (padding === 'SAME') return Math.ceil(inp / stride);
  if (padding === 'VALID') return Math.ceil((inp - ek + 1) / stride);
  return Math.floor((inp + padBegin + padEnd - ek) / stride) + 1;
}

/** TF SAME padding: the odd pixel goes at the end (ONNX SAME_UPPER), computed explicitly. */
function samePads(inp: number, k: number, stride: number, dilation: number): [number, number] {
  const out = Math.ceil(inp / stride);
  const total = Math.max((out - 1) * stride + (k - 1) * dilation + 1 - inp, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

interface Fold {
  scale?: Float32Array;
  offset?: Float32Array;
  /** The node whose output the folded conv now produces. */
  last: string;
}

export function convertTfGraph(model: TfGraphModel, options: ConvertOptions = {}): ConvertResult {
  const inputLayout = options.inputLayout ?? 'NCHW';
  const g = new OnnxGraphBuilder();
  const byName = new Map<string, TfNode>();
  for (const n of model.nodes) byName.set(n.name, n);
  const parseInput = (s: string): { node: string; index: number } | null => {
    if (s.startsWith('^')) return null; // control dependency
    const m = /^(.*?)(?::(\d+))?$/.exec(s);
    if (!m) throw new Error(`bad tensor name ${s}`);
    return { node: m[1], index: m[2] ? Number(m[2]) : 0 };
  };
  const dataInputs = (n: TfNode) =>
    (n.input ?? []).map(parseInput).filter((x): x is { node: string; index: number } => x !== null);

  // consumers, for the rewrites (a rewrite only applies when an intermediate has a single consumer)
  const consumers = new Map<string, TfNode[]>();
  for (const n of model.nodes)
    for (const i of dataInputs(n)) consumers.set(i.node, [...(consumers.get(i.node) ?? []), n]);
  const outputTensors = model.outputs.map((o) => o.name);
  const outputNodes = new Set(outputTensors.map((t) => parseInput(t)!.node));
  const constOf = (name: string): ConstTensor | undefined => {
    const n = byName.get(name);
    if (!n || n.op !== 'Const') return undefined;
    const w = model.weights.get(n.name);
    if (!w) throw new Error(`Const node "${n.name}" has no weight data`);
    return w;
  };
  const single = (name: string): TfNode | undefined => {
    const c = consumers.get(name);
    return c && c.length === 1 && !outputNodes.has(name) ? c[0] : undefined;
  };

  // ---- rewrite 1: fold per-channel Mul/Add following a linear convolution ----
  const folds = new Map<string, Fold>();
  const skipped = new Set<string>(); // nodes absorbed by a rewrite
  const aliases = new Map<string, string>(); // absorbed node → node producing its value
  let foldedAffine = 0;
  let clips = 0;
  for (const n of model.nodes) {
    const isConv = n.op === 'Conv2D' || n.op === 'DepthwiseConv2dNative';
    const isFusedLinear =
      (n.op === '_FusedConv2D' || n.op === 'FusedDepthwiseConv2dNative') &&
      (n.attr?.fused_ops?.list?.s ?? []).map(b64).join(',') === 'BiasAdd';
    if (!isConv && !isFusedLinear) continue;
    const filter = constOf(dataInputs(n)[1]?.node ?? '');
    if (!filter) continue;
    const outC = n.op.includes('Depthwise') ? filter.shape[2] * filter.shape[3] : filter.shape[3];
    let cur = n.name;
    const fold: Fold = { last: n.name };
    let next = single(cur);
    if (next && next.op === 'Mul') {
      const other = dataInputs(next).find((i) => i.node !== cur);
      const s = perChannel(constOf(other?.node ?? ''), outC);
      if (s && dataInputs(next).length === 2) {
        fold.scale = s;
        skipped.add(next.name);
        cur = next.name;
        next = single(cur);
      }
    }
    if (next && (next.op === 'Add' || next.op === 'AddV2' || next.op === 'BiasAdd')) {
      const other = dataInputs(next).find((i) => i.node !== cur);
      const o = perChannel(constOf(other?.node ?? ''), outC);
      if (o && dataInputs(next).length === 2 && (next.op !== 'BiasAdd' || dataInputs(next)[0].node === cur)) {
        fold.offset = o;
        skipped.add(next.name);
        cur = next.name;
      }
    }
    if (cur !== n.name) {
      fold.last = cur;
      folds.set(n.name, fold);
      aliases.set(cur, n.name);
      foldedAffine++;
    }
  }

  // ---- rewrite 2: Relu → Minimum(c) [→ Maximum(m ≤ 0)] ⇒ Clip(0, c) ----
  const clipOf = new Map<string, { input: string; max: number }>(); // final node → clip
  for (const n of model.nodes) {
    if (n.op !== 'Relu') continue;
    const mn = single(n.name);
    if (!mn || mn.op !== 'Minimum' || dataInputs(mn).length !== 2) continue;
    const c = constOf(dataInputs(mn).find((i) => i.node !== n.name)?.node ?? '');
    if (!c || numel(c.shape) !== 1 || c.dtype !== 'float32') continue;
    let last = mn;
    const mx = single(mn.name);
    if (mx && mx.op === 'Maximum' && dataInputs(mx).length === 2) {
      const m = constOf(dataInputs(mx).find((i) => i.node !== mn.name)?.node ?? '');
      if (m && numel(m.shape) === 1 && m.data[0] <= 0) last = mx;
    }
    const src = dataInputs(n)[0];
    if (src.index !== 0) continue;
    skipped.add(n.name);
    skipped.add(mn.name);
    if (last !== mn) skipped.add(last.name);
    clipOf.set(last.name, { input: src.node, max: c.data[0] });
    skipped.delete(last.name);
    clips++;
  }

  // ---- conversion, depth-first from the outputs (unused nodes are pruned) ----
  const values = new Map<string, Value>();
  const tfOps: Record<string, number> = {};
  const nchwCache = new Map<string, string>();
  const plainCache = new Map<string, string>();
  const visiting = new Set<string>();

  const materialize = (v: Value, hint: string): string => {
    if (v.name) return v.name;
    const c = v.constant!;
    v.name =
      c.dtype === 'float32'
        ? g.initFloat(hint, c.shape, c.data as Float32Array)
        : g.initInt32(hint, c.shape, c.data as Int32Array);
    return v.name;
  };

  const valueOf = (tensor: string): Value => {
    const ref = parseInput(tensor);
    if (!ref) throw new Error(`control input ${tensor} used as data`);
    if (ref.index !== 0) throw new Error(`multi-output tensor ${tensor} is not supported`);
    let name = ref.node;
    if (aliases.has(name)) name = aliases.get(name)!;
    const got = values.get(name);
    if (got) return got;
    const node = byName.get(name);
    if (!node) throw new Error(`tensor ${tensor}: no node named ${name}`);
    if (visiting.has(name)) throw new Error(`cycle through ${name}`);
    visiting.add(name);
    const v = convertNode(node);
    visiting.delete(name);
    values.set(name, v);
    tfOps[node.op] = (tfOps[node.op] ?? 0) + 1;
    return v;
  };

  /** The value as an ONNX NCHW tensor (rank 4). */
  const nchw = (v: Value, hint: string): string => {
    if (v.shape.length !== 4) throw new Error(`${hint}: expected a rank-4 tensor, got [${v.shape}]`);
    if (v.constant && !v.name) {
      const t = transposeData(v.constant.data, v.constant.shape, NCHW_FROM_NHWC);
      return v.constant.dtype === 'float32'
        ? g.initFloat(`${hint}_nchw`, t.shape, t.data as Float32Array)
        : g.initInt32(`${hint}_nchw`, t.shape, t.data as Int32Array);
    }
    if (v.nchw) return v.name;
    const hit = nchwCache.get(v.name);
    if (hit) return hit;
    const out = g.op('Transpose', [v.name], { perm: NCHW_FROM_NHWC }, `${v.name}/to_nchw`);
    nchwCache.set(v.name, out);
    return out;
  };

  /** The value in TF memory order. */
  const plain = (v: Value, hint: string): string => {
    if (!v.nchw) return materialize(v, hint);
    const hit = plainCache.get(v.name);
    if (hit) return hit;
    const out = g.op('Transpose', [v.name], { perm: NHWC_FROM_NCHW }, `${v.name}/to_nhwc`);
    plainCache.set(v.name, out);
    return out;
  };

  /** Operand of an element-wise op whose other side is NCHW: constants are re-laid out, not transposed at run time. */
  const nchwOperand = (v: Value, hint: string): string => {
    if (v.nchw) return v.name;
    if (v.constant && !v.name) {
      const c = v.constant;
      if (numel(c.shape) === 1) return materialize(v, hint);
      if (c.shape.length > 4) throw new Error(`${hint}: constant of rank ${c.shape.length} against NCHW`);
      const shape4 = [...new Array<number>(4 - c.shape.length).fill(1), ...c.shape];
      const t = transposeData(c.data, shape4, NCHW_FROM_NHWC);
      return c.dtype === 'float32'
        ? g.initFloat(`${hint}_nchw`, t.shape, t.data as Float32Array)
        : g.initInt32(`${hint}_nchw`, t.shape, t.data as Int32Array);
    }
    if (v.shape.length === 4) return nchw(v, hint);
    if (numel(v.shape) === 1 && v.shape.every((d) => d === 1)) return v.name;
    throw new Error(
      `${hint}: broadcasting a rank-${v.shape.length} computed tensor against an NCHW activation is not supported`,
    );
  };

  const activation = (
    x: string,
    act: string | undefined,
    node: TfNode,
    shape: number[],
    isNchw: boolean,
    alpha?: ConstTensor,
  ): string => {
    if (!act) return x;
    const hint = `${node.name}/${act}`;
    switch (act) {
      case 'Relu':
        return g.op('Relu', [x], {}, hint);
      case 'Relu6':
        return g.op(
          'Clip',
          [x, g.initFloat('zero', [], new Float32Array([0])), g.initFloat('six', [], new Float32Array([6]))],
          {},
          hint,
        );
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
        const slopeShape = isNchw ? [c, 1, 1] : [c];
        return g.op('PRelu', [x, g.initFloat(`${node.name}/alpha`, slopeShape, a)], {}, hint);
      }
      default:
        throw new UnsupportedOpError(node.op, node.name, `fused activation ${act}`);
    }
  };

  const convertConv = (node: TfNode): Value => {
    const ins = dataInputs(node);
    const x = valueOf(node.input![0]);
    const fc = constOf(ins[1].node);
    if (!fc) throw new UnsupportedOpError(node.op, node.name, 'filter is not a constant');
    const a = node.attr ?? {};
    const fmt = b64(a.data_format?.s) || 'NHWC';
    if (fmt !== 'NHWC') throw new UnsupportedOpError(node.op, node.name, `data_format ${fmt}`);
    if (x.shape.length !== 4) throw new Error(`${node.name}: input rank ${x.shape.length}`);
    const depthwise = node.op.includes('Depthwise');
    const [kh, kw, cin, cm] = fc.shape;
    const strides = ints(a.strides).length ? ints(a.strides) : [1, 1, 1, 1];
    const dil = ints(a.dilations).length ? ints(a.dilations) : [1, 1, 1, 1];
    const padding = b64(a.padding?.s) || 'VALID';
    const [, H, W, C] = x.shape;
    let pads: number[];
    if (padding === 'SAME') {
      if (H < 0 || W < 0) throw new Error(`${node.name}: SAME padding needs static spatial dims`);
      const ph = samePads(H, kh, strides[1], dil[1]);
      const pw = samePads(W, kw, strides[2], dil[2]);
      pads = [ph[0], pw[0], ph[1], pw[1]];
    } else if (padding === 'VALID') pads = [0, 0, 0, 0];
    else if (padding === 'EXPLICIT') {
      const e = ints(a.explicit_paddings); // [[n0,n1],[h0,h1],[w0,w1],[c0,c1]]
      pads = [e[2], e[4], e[3], e[5]];
    } else throw new UnsupportedOpError(node.op, node.name, `padding ${padding}`);
    let weight: Float32Array;
    let wShape: number[];
    let outC: number;
    let group = 1;
    if (depthwise) {
      const t = transposeData(fc.data as Float32Array, fc.shape, [2, 3, 0, 1]);
      weight = t.data;
      wShape = [cin * cm, 1, kh, kw];
      outC = cin * cm;
      group = cin;
    } else {
      const t = transposeData(fc.data as Float32Array, fc.shape, [3, 2, 0, 1]);
      weight = t.data;
      wShape = t.shape;
      outC = cm;
      if (C > 0 && C !== cin) {
        if (C % cin) throw new Error(`${node.name}: ${C} input channels vs filter ${cin}`);
        group = C / cin;
      }
    }
    let bias: Float32Array | null = null;
    let act: string | undefined;
    let alpha: ConstTensor | undefined;
    if (node.op.startsWith('_Fused') || node.op.startsWith('Fused')) {
      const fused = (a.fused_ops?.list?.s ?? []).map(b64);
      const args = ins.slice(2).map((i) => constOf(i.node));
      if (args.some((t) => !t)) throw new UnsupportedOpError(node.op, node.name, 'non-constant fused argument');
      if (fused[0] === 'BiasAdd') {
        bias = perChannel(args[0], outC);
        if (!bias) throw new Error(`${node.name}: bias shape`);
        act = fused[1];
        if (act === 'Prelu') alpha = args[1];
      } else if (fused[0] === 'FusedBatchNorm') {
        const [scale, offset, mean, variance] = args.map((t) => perChannel(t, outC));
        if (!scale || !offset || !mean || !variance) throw new Error(`${node.name}: batch-norm argument shapes`);
        const eps = a.epsilon?.f ?? 0.001;
        const s = scale.map((v, i) => v / Math.sqrt(variance[i] + eps));
        const per = weight.length / outC;
        for (let o = 0; o < outC; o++) for (let k = 0; k < per; k++) weight[o * per + k] *= s[o];
        bias = offset.map((v, i) => v - mean[i] * s[i]);
        act = fused[1];
        if (act === 'Prelu') alpha = args[4];
      } else if (fused.length) {
        throw new UnsupportedOpError(node.op, node.name, `fused ops ${fused.join('+')}`);
      }
      if (fused.length > 2) throw new UnsupportedOpError(node.op, node.name, `fused ops ${fused.join('+')}`);
    }
    const fold = folds.get(node.name);
    if (fold) {
      const per = weight.length / outC;
      if (fold.scale) {
        for (let o = 0; o < outC; o++) for (let k = 0; k < per; k++) weight[o * per + k] *= fold.scale[o];
        if (bias) bias = bias.map((v, i) => v * fold.scale![i]);
      }
      if (fold.offset) bias = bias ? bias.map((v, i) => v + fold.offset![i]) : Float32Array.from(fold.offset);
    }
    const inputs = [nchw(x, node.name), g.initFloat(`${node.name}/W`, wShape, weight)];
    if (bias) inputs.push(g.initFloat(`${node.name}/B`, [outC], bias));
    const y = g.op(
      'Conv',
      inputs,
      { dilations: [dil[1], dil[2]], group, kernel_shape: [kh, kw], pads, strides: [strides[1], strides[2]] },
      node.name,
    );
    const shape = [
      x.shape[0],
      convOutSize(H, kh, strides[1], dil[1], padding, pads[0], pads[2]),
      convOutSize(W, kw, strides[2], dil[2], padding, pads[1], pads[3]),
      outC,
    ];
    return { name: activation(y, act, node, shape, true, alpha), shape, dtype: 'float32', nchw: true };
  };

  const convertMatMul = (node: TfNode): Value => {
    const ins = dataInputs(node);
    const a = valueOf(node.input![0]);
    const b = valueOf(node.input![1]);
    const ta = bool(node.attr?.transpose_a, false);
    const tb = bool(node.attr?.transpose_b, false);
    if (a.shape.length !== 2 || b.shape.length !== 2)
      throw new UnsupportedOpError(node.op, node.name, 'only rank-2 MatMul');
    const n = tb ? b.shape[0] : b.shape[1];
    let bias: Float32Array | null = null;
    let act: string | undefined;
    let alpha: ConstTensor | undefined;
    if (node.op === '_FusedMatMul') {
      const fused = (node.attr?.fused_ops?.list?.s ?? []).map(b64);
      const args = ins.slice(2).map((i) => constOf(i.node));
      if (fused[0] !== 'BiasAdd' || fused.length > 2)
        throw new UnsupportedOpError(node.op, node.name, `fused ops ${fused.join('+')}`);
      bias = perChannel(args[0], n);
      if (!bias) throw new Error(`${node.name}: bias must be a constant of ${n}`);
      act = fused[1];
      if (act === 'Prelu') alpha = args[1];
    }
    const inputs = [plain(a, node.name), plain(b, `${node.name}/B`)];
    if (bias) inputs.push(g.initFloat(`${node.name}/bias`, [n], bias));
    const y = g.op('Gemm', inputs, { transA: ta ? 1 : 0, transB: tb ? 1 : 0 }, node.name);
    const shape = [ta ? a.shape[1] : a.shape[0], n];
    return { name: activation(y, act, node, shape, false, alpha), shape, dtype: 'float32', nchw: false };
  };

  const binaryOps: Record<string, string> = {
    Add: 'Add',
    AddV2: 'Add',
    BiasAdd: 'Add',
    Sub: 'Sub',
    Mul: 'Mul',
    RealDiv: 'Div',
    Div: 'Div',
    Minimum: 'Min',
    Maximum: 'Max',
    Pow: 'Pow',
  };
  const unaryOps: Record<string, string> = {
    Relu: 'Relu',
    Sigmoid: 'Sigmoid',
    Tanh: 'Tanh',
    Exp: 'Exp',
    Log: 'Log',
    Sqrt: 'Sqrt',
    Neg: 'Neg',
    Abs: 'Abs',
    Softplus: 'Softplus',
    Floor: 'Floor',
    Reciprocal: 'Reciprocal',
  };

  const convertBinary = (node: TfNode): Value => {
    const [a, b] = node.input!.filter((i) => !i.startsWith('^')).map(valueOf);
    const onnxOp = binaryOps[node.op];
    if (node.op === 'BiasAdd') {
      const fmt = b64(node.attr?.data_format?.s) || 'NHWC';
      if (fmt !== 'NHWC') throw new UnsupportedOpError(node.op, node.name, `data_format ${fmt}`);
    }
    if (node.op === 'Div' && a.dtype === 'int32') throw new UnsupportedOpError(node.op, node.name, 'integer division');
    const shape = broadcastShapes(a.shape, b.shape, node.name);
    const useNchw = (a.nchw || b.nchw) && shape.length === 4;
    const ia = useNchw ? nchwOperand(a, `${node.name}/a`) : plain(a, `${node.name}/a`);
    const ib = useNchw ? nchwOperand(b, `${node.name}/b`) : plain(b, `${node.name}/b`);
    return { name: g.op(onnxOp, [ia, ib], {}, node.name), shape, dtype: a.dtype, nchw: useNchw };
  };

  const axisList = (c: ConstTensor | undefined, rank: number, node: TfNode): number[] => {
    if (!c) throw new UnsupportedOpError(node.op, node.name, 'axes must be a constant');
    return Array.from(c.data, (v) => (v < 0 ? v + rank : v));
  };

  const convertReduce = (node: TfNode): Value => {
    const x = valueOf(node.input![0]);
    const rank = x.shape.length;
    const axes = axisList(constOf(dataInputs(node)[1].node), rank, node);
    const keep = bool(node.attr?.keep_dims, false);
    const onnxOp = { Mean: 'ReduceMean', Sum: 'ReduceSum', Max: 'ReduceMax', Min: 'ReduceMin', Prod: 'ReduceProd' }[
      node.op
    ]!;
    const shape = keep
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    if (x.nchw) {
      // the kept dims of NCHW are in TF order when C is reduced or both H and W are
      const keptTf = [0, 1, 2, 3].filter((i) => !axes.includes(i));
      const keptOnnx = [0, 3, 1, 2].filter((i) => !axes.includes(i));
      const sameOrder = keep || keptTf.join() === keptOnnx.join();
      if (sameOrder) {
        const onnxAxes = axes.map((a) => AXIS_IN_NCHW[a]).sort();
        const y = g.op(onnxOp, [x.name], { axes: onnxAxes, keepdims: keep ? 1 : 0 }, node.name);
        return { name: y, shape, dtype: x.dtype, nchw: keep };
      }
    }
    if (onnxOp === 'ReduceSum') {
      const y = g.op(
        onnxOp,
        [plain(x, node.name), g.initInt64(`${node.name}/axes`, [axes.length], axes)],
        { keepdims: keep ? 1 : 0 },
        node.name,
      );
      return { name: y, shape, dtype: x.dtype, nchw: false };
    }
    const y = g.op(onnxOp, [plain(x, node.name)], { axes, keepdims: keep ? 1 : 0 }, node.name);
    return { name: y, shape, dtype: x.dtype, nchw: false };
  };

  const convertPool = (node: TfNode): Value => {
    const x = valueOf(node.input![0]);
    const a = node.attr ?? {};
    const fmt = b64(a.data_format?.s) || 'NHWC';
    if (fmt !== 'NHWC') throw new UnsupportedOpError(node.op, node.name, `data_format ${fmt}`);
    const k = ints(a.ksize);
    const s = ints(a.strides);
    if (k[0] !== 1 || k[3] !== 1 || s[0] !== 1 || s[3] !== 1)
      throw new UnsupportedOpError(node.op, node.name, 'pooling over batch/channels');
    const padding = b64(a.padding?.s);
    const [, H, W, C] = x.shape;
    let pads = [0, 0, 0, 0];
    if (padding === 'SAME') {
      const ph = samePads(H, k[1], s[1], 1);
      const pw = samePads(W, k[2], s[2], 1);
      pads = [ph[0], pw[0], ph[1], pw[1]];
    } else if (padding !== 'VALID') throw new UnsupportedOpError(node.op, node.name, `padding ${padding}`);
    const attrs: Record<string, AttrValue> = { kernel_shape: [k[1], k[2]], pads, strides: [s[1], s[2]] };
    // TF's AvgPool divides by the number of valid (unpadded) inputs
    if (node.op === 'AvgPool') attrs.count_include_pad = 0;
    const y = g.op(node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [nchw(x, node.name)], attrs, node.name);
    const shape = [x.shape[0], convOutSize(H, k[1], s[1], 1, padding), convOutSize(W, k[2], s[2], 1, padding), C];
    return { name: y, shape, dtype: x.dtype, nchw: true };
  };

  const convertPad = (node: TfNode): Value => {
    const ins = dataInputs(node);
    const x = valueOf(node.input![0]);
    const p = constOf(ins[1].node);
    if (!p) throw new UnsupportedOpError(node.op, node.name, 'paddings must be a constant');
    const rank = x.shape.length;
    const pairs = Array.from({ length: rank }, (_, i) => [Number(p.data[2 * i]), Number(p.data[2 * i + 1])]);
    let mode = 'constant';
    if (node.op === 'MirrorPad') {
      const m = b64(node.attr?.mode?.s);
      if (m !== 'REFLECT') throw new UnsupportedOpError(node.op, node.name, `mode ${m} (ONNX Pad has reflect only)`);
      mode = 'reflect';
    }
    const inputs: string[] = [];
    let order = pairs;
    let isNchw = false;
    if (x.nchw) {
      order = NCHW_FROM_NHWC.map((i) => pairs[i]);
      inputs.push(x.name);
      isNchw = true;
    } else inputs.push(plain(x, node.name));
    const pads = [...order.map((q) => q[0]), ...order.map((q) => q[1])];
    inputs.push(g.initInt64(`${node.name}/pads`, [pads.length], pads));
    if (node.op === 'PadV2') {
      const cv = constOf(ins[2].node);
      if (!cv) throw new UnsupportedOpError(node.op, node.name, 'constant_values must be a constant');
      inputs.push(g.initFloat(`${node.name}/value`, [], new Float32Array([cv.data[0]])));
    }
    const shape = x.shape.map((d, i) => (d < 0 ? -1 : d + pairs[i][0] + pairs[i][1]));
    return { name: g.op('Pad', inputs, { mode }, node.name), shape, dtype: x.dtype, nchw: isNchw };
  };

  const convertReshape = (node: TfNode): Value => {
    const x = valueOf(node.input![0]);
    const sc = constOf(dataInputs(node)[1].node);
    if (!sc) throw new UnsupportedOpError(node.op, node.name, 'shape must be a constant');
    const target = Array.from(sc.data);
    if (target.includes(0)) throw new UnsupportedOpError(node.op, node.name, 'zero-sized dimension');
    const known = numel(x.shape.filter((d) => d >= 0));
    const unknownIn = x.shape.filter((d) => d < 0).length;
    const shape = target.slice();
    const neg = target.indexOf(-1);
    if (neg >= 0 && !unknownIn) shape[neg] = known / numel(target.filter((d) => d !== -1));
    const y = g.op(
      'Reshape',
      [plain(x, node.name), g.initInt64(`${node.name}/shape`, [target.length], target)],
      {},
      node.name,
    );
    return { name: y, shape, dtype: x.dtype, nchw: false };
  };

  const convertSqueeze = (node: TfNode): Value => {
    const x = valueOf(node.input![0]);
    const rank = x.shape.length;
    let axes = ints(node.attr?.squeeze_dims).map((a) => (a < 0 ? a + rank : a));
    if (!axes.length) axes = x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
    const shape = x.shape.filter((_, i) => !axes.includes(i));
    const y = g.op(
      'Squeeze',
      [plain(x, node.name), g.initInt64(`${node.name}/axes`, [axes.length], axes)],
      {},
      node.name,
    );
    return { name: y, shape, dtype: x.dtype, nchw: false };
  };

  const convertExpandDims = (node: TfNode): Value => {
    const x = valueOf(node.input![0]);
    const c = constOf(dataInputs(node)[1].node);
    if (!c) throw new UnsupportedOpError(node.op, node.name, 'axis must be a constant');
    let axis = Number(c.data[0]);
    if (axis < 0) axis += x.shape.length + 1;
    const shape = [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)];
    const y = g.op('Unsqueeze', [plain(x, node.name), g.initInt64(`${node.name}/axes`, [1], [axis])], {}, node.name);
    return { name: y, shape, dtype: x.dtype, nchw: false };
  };

  const convertConcat = (node: TfNode): Value => {
    const ins = node.input!.filter((i) => !i.startsWith('^'));
    const n = node.op === 'ConcatV2' ? ins.length - 1 : ins.length;
    const axisC = constOf(parseInput(ins[n])!.node);
    if (!axisC) throw new UnsupportedOpError(node.op, node.name, 'axis must be a constant');
    const parts = ins.slice(0, n).map(valueOf);
    const rank = parts[0].shape.length;
    let axis = Number(axisC.data[0]);
    if (axis < 0) axis += rank;
    const useNchw = rank === 4 && parts.some((p) => p.nchw);
    const names = parts.map((p, i) => (useNchw ? nchw(p, `${node.name}/${i}`) : plain(p, `${node.name}/${i}`)));
    const shape = parts[0].shape.slice();
    shape[axis] = parts.some((p) => p.shape[axis] < 0) ? -1 : parts.reduce((s, p) => s + p.shape[axis], 0);
    const y = g.op('Concat', names, { axis: useNchw ? AXIS_IN_NCHW[axis] : axis }, node.name);
    return { name: y, shape, dtype: parts[0].dtype, nchw: useNchw };
  };

  const convertTranspose = (node: TfNode): Value => {
    const x = valueOf(node.input![0]);
    const pc = constOf(dataInputs(node)[1].node);
    if (!pc) throw new UnsupportedOpError(node.op, node.name, 'perm must be a constant');
    const perm = Array.from(pc.data);
    const shape = perm.map((p) => x.shape[p]);
    const onnxPerm = x.nchw ? perm.map((p) => AXIS_IN_NCHW[p]) : perm;
    const y = g.op('Transpose', [x.nchw ? x.name : plain(x, node.name)], { perm: onnxPerm }, node.name);
    return { name: y, shape, dtype: x.dtype, nchw: false };
  };

  const INT64_MAX = Number.MAX_SAFE_INTEGER;
  const convertStridedSlice = (node: TfNode): Value => {
    const ins = dataInputs(node);
    const x = valueOf(node.input![0]);
    const [bc, ec, sc] = ins.slice(1, 4).map((i) => constOf(i.node));
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
    let y = g.op(
      'Slice',
      [
        plain(x, node.name),
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
  };

  const convertResize = (node: TfNode): Value => {
    const x = valueOf(node.input![0]);
    const sz = constOf(dataInputs(node)[1].node);
    if (!sz) throw new UnsupportedOpError(node.op, node.name, 'size must be a constant');
    const [h, w] = Array.from(sz.data);
    const [, H, W, C] = x.shape;
    if (H < 0 || W < 0) throw new UnsupportedOpError(node.op, node.name, 'dynamic spatial input');
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
    // Resize-13 with `scales` keeps a dynamic batch; output size = floor(in * scale) = (h, w) exactly.
    const scales = new Float32Array([1, 1, h / H, w / W]);
    const y = g.op(
      'Resize',
      [nchw(x, node.name), '', g.initFloat(`${node.name}/scales`, [4], scales)],
      attrs,
      node.name,
    );
    return { name: y, shape: [x.shape[0], h, w, C], dtype: x.dtype, nchw: true };
  };

  const convertNode = (node: TfNode): Value => {
    const clip = clipOf.get(node.name);
    if (clip) {
      const x = valueOf(clip.input);
      const y = g.op(
        'Clip',
        [
          x.name || plain(x, node.name),
          g.initFloat('zero', [], new Float32Array([0])),
          g.initFloat(`clip_max_${clip.max}`, [], new Float32Array([clip.max])),
        ],
        {},
        node.name,
      );
      return { name: y, shape: x.shape, dtype: x.dtype, nchw: x.nchw };
    }
    if (skipped.has(node.name))
      throw new Error(`internal: node ${node.name} was absorbed by a rewrite but is still referenced`);
    const op = node.op;
    switch (op) {
      case 'Const': {
        const c = constOf(node.name)!;
        return { name: '', shape: c.shape, dtype: c.dtype, nchw: false, constant: c };
      }
      case 'Placeholder': {
        const dims = (node.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
        const dtype = node.attr?.dtype?.type;
        if (dtype !== 'DT_FLOAT') throw new UnsupportedOpError(op, node.name, `input dtype ${dtype}`);
        const asNchw = dims.length === 4 && inputLayout === 'NCHW';
        const onnxDims = asNchw ? NCHW_FROM_NHWC.map((i) => dims[i]) : dims;
        g.addInput(
          node.name,
          ElemType.FLOAT,
          onnxDims.map((d, i): Dim => (d < 0 ? { param: i === 0 ? 'batch' : `d${i}` } : { value: d })),
        );
        return { name: node.name, shape: dims, dtype: 'float32', nchw: asNchw };
      }
      case 'Identity':
      case 'Snapshot':
      case 'StopGradient':
        return valueOf(node.input![0]);
      case 'Conv2D':
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative':
        return convertConv(node);
      case 'MatMul':
      case '_FusedMatMul':
        return convertMatMul(node);
      case 'MaxPool':
      case 'AvgPool':
        return convertPool(node);
      case 'Pad':
      case 'PadV2':
      case 'MirrorPad':
        return convertPad(node);
      case 'Reshape':
        return convertReshape(node);
      case 'Squeeze':
        return convertSqueeze(node);
      case 'ExpandDims':
        return convertExpandDims(node);
      case 'ConcatV2':
      case 'Concat':
        if (op === 'Concat') throw new UnsupportedOpError(op, node.name, 'legacy Concat (axis first)');
        return convertConcat(node);
      case 'Mean':
      case 'Sum':
      case 'Max':
      case 'Min':
      case 'Prod':
        return convertReduce(node);
      case 'Transpose':
        return convertTranspose(node);
      case 'StridedSlice':
        return convertStridedSlice(node);
      case 'ResizeBilinear':
      case 'ResizeNearestNeighbor':
        return convertResize(node);
      case 'Relu6': {
        const x = valueOf(node.input![0]);
        return {
          name: activation(x.name || plain(x, node.name), 'Relu6', node, x.shape, x.nchw),
          shape: x.shape,
          dtype: x.dtype,
          nchw: x.nchw,
        };
      }
      case 'Elu':
      case 'LeakyRelu': {
        const x = valueOf(node.input![0]);
        const attrs: Record<string, AttrValue> = { alpha: { float: op === 'Elu' ? 1 : (node.attr?.alpha?.f ?? 0.2) } };
        return {
          name: g.op(op, [x.name || plain(x, node.name)], attrs, node.name),
          shape: x.shape,
          dtype: x.dtype,
          nchw: x.nchw,
        };
      }
      case 'Prelu': {
        const x = valueOf(node.input![0]);
        const alpha = valueOf(node.input![1]);
        const useNchw = x.nchw;
        const ia = useNchw ? nchwOperand(alpha, `${node.name}/alpha`) : plain(alpha, `${node.name}/alpha`);
        return {
          name: g.op('PRelu', [x.nchw ? x.name : plain(x, node.name), ia], {}, node.name),
          shape: x.shape,
          dtype: x.dtype,
          nchw: useNchw,
        };
      }
      case 'Rsqrt': {
        const x = valueOf(node.input![0]);
        const s = g.op('Sqrt', [x.name || plain(x, node.name)], {}, `${node.name}/sqrt`);
        return { name: g.op('Reciprocal', [s], {}, node.name), shape: x.shape, dtype: x.dtype, nchw: x.nchw };
      }
      case 'Square': {
        const x = valueOf(node.input![0]);
        const xi = x.name || plain(x, node.name);
        return { name: g.op('Mul', [xi, xi], {}, node.name), shape: x.shape, dtype: x.dtype, nchw: x.nchw };
      }
      case 'Softmax':
      case 'LogSoftmax': {
        const x = valueOf(node.input![0]);
        const axis = x.nchw ? 1 : x.shape.length - 1;
        return {
          name: g.op(op, [x.name || plain(x, node.name)], { axis }, node.name),
          shape: x.shape,
          dtype: x.dtype,
          nchw: x.nchw,
        };
      }
      default:
        if (binaryOps[op]) return convertBinary(node);
        if (unaryOps[op]) {
          const x = valueOf(node.input![0]);
          return {
            name: g.op(unaryOps[op], [x.name || plain(x, node.name)], {}, node.name),
            shape: x.shape,
            dtype: x.dtype,
            nchw: x.nchw,
          };
        }
        throw new UnsupportedOpError(op, node.name);
    }
  };

  // public output names are reserved first, so no internal value takes them
  const outTensors = outputTensors.length
    ? outputTensors
    : model.nodes.filter((n) => !consumers.has(n.name) && n.op !== 'Const').map((n) => n.name);
  const outNames = outTensors.map((t) => options.outputNames?.[t] ?? parseInput(t)!.node);
  if (new Set(outNames).size !== outNames.length) throw new Error(`duplicate output names ${outNames.join(',')}`);
  for (const n of outNames) g.uniqueName(n);

  // graph inputs: the signature's, or every Placeholder
  const inputNodes = model.inputs.length
    ? model.inputs.map((i) => parseInput(i.name)!.node)
    : model.nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name);
  const inputs: ConvertedIo[] = inputNodes.map((name) => {
    const v = valueOf(name);
    return {
      name,
      shape: v.nchw ? NCHW_FROM_NHWC.map((i) => v.shape[i]) : v.shape,
      layout: v.shape.length === 4 ? (v.nchw ? 'NCHW' : 'NHWC') : 'plain',
      tfName: name,
    };
  });
  const outputs: ConvertedIo[] = [];
  for (const [k, t] of outTensors.entries()) {
    const v = valueOf(t);
    const outName = outNames[k];
    const src = plain(v, outName);
    const dims = v.shape.map((d, i): Dim => (d < 0 ? { param: i === 0 ? 'batch' : `d${i}` } : { value: d }));
    g.node('Identity', [src], {}, `${outName}/output`, [outName]);
    g.addOutput(outName, v.dtype === 'float32' ? ElemType.FLOAT : ElemType.INT32, dims);
    outputs.push({ name: outName, shape: v.shape, layout: 'plain', tfName: t });
  }

  const onnxBytes = g.encode(options.graphName ?? 'graph', options.docString ?? '', options.metadata ?? {});
  return {
    onnx: onnxBytes,
    inputs,
    outputs,
    onnxOps: g.opHistogram(),
    tfOps: Object.fromEntries(Object.entries(tfOps).sort(([a], [b]) => a.localeCompare(b))),
    rewrites: { foldedAffine, clips },
  };
}
