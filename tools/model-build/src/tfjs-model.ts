// Reads a TensorFlow.js graph model (model.json + binary weight shards) into plain JS structures:
// the node list of the GraphDef and every weight as a dense float32 or int32 array. Quantized
// weights (float16, uint8/uint16 affine) are de-quantized to float32 here, so the converter only
// ever sees float32/int32 constants.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type DType = 'float32' | 'int32';

export interface ConstTensor {
  dtype: DType;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** One attribute value as the TF.js JSON spells it (a subset of TF's AttrValue). */
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: { dim?: { size: string | number }[]; unknownRank?: boolean };
  list?: { i?: (string | number)[]; s?: string[]; f?: number[] };
  tensor?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

export interface TfSignatureEntry {
  name: string;
  dtype?: string;
  tensorShape?: { dim?: { size: string | number }[] };
}

export interface TfGraphModel {
  nodes: TfNode[];
  weights: Map<string, ConstTensor>;
  /** Signature inputs/outputs, tensor names like `input:0` or `global_pooling/Mean`. */
  inputs: TfSignatureEntry[];
  outputs: TfSignatureEntry[];
  format: string;
  generatedBy?: string;
  convertedBy?: string;
}

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: { node: TfNode[]; library?: { function?: unknown[] } };
  weightsManifest: { paths: string[]; weights: WeightEntry[] }[];
  signature?: { inputs?: Record<string, TfSignatureEntry>; outputs?: Record<string, TfSignatureEntry> };
  userDefinedMetadata?: {
    signature?: { inputs?: Record<string, TfSignatureEntry>; outputs?: Record<string, TfSignatureEntry> };
  };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, float16: 2, uint16: 2, uint8: 1, int8: 1, bool: 1 };

/** IEEE 754 half → float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (m / 1024);
  if (e === 31) return m ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}

function decodeWeight(w: WeightEntry, bytes: Uint8Array): ConstTensor {
  const n = w.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = w.quantization;
  if (w.dtype !== 'float32' && w.dtype !== 'int32') {
    throw new Error(`weight ${w.name}: unsupported dtype ${w.dtype}`);
  }
  if (!q) {
    if (w.dtype === 'float32') {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return { dtype: 'float32', shape: w.shape, data: out };
    }
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
    return { dtype: 'int32', shape: w.shape, data: out };
  }
  const values = new Float64Array(n);
  if (q.dtype === 'float16') {
    for (let i = 0; i < n; i++) values[i] = halfToFloat(view.getUint16(i * 2, true));
  } else if (q.dtype === 'uint8' || q.dtype === 'uint16') {
    if (q.scale === undefined || q.min === undefined)
      throw new Error(`weight ${w.name}: ${q.dtype} quantization without scale/min`);
    for (let i = 0; i < n; i++) {
      const v = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
      values[i] = v * q.scale + q.min;
    }
  } else {
    throw new Error(`weight ${w.name}: unsupported quantization dtype ${q.dtype}`);
  }
  if (w.dtype === 'int32')
    return { dtype: 'int32', shape: w.shape, data: Int32Array.from(values, (v) => Math.round(v)) };
  return { dtype: 'float32', shape: w.shape, data: Float32Array.from(values) };
}

/** Loads `<dir>/<name>.json` and its weight shards (paths relative to the JSON file). */
export function loadTfGraphModel(modelJsonPath: string): TfGraphModel {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
  if (json.format && json.format !== 'graph-model')
    throw new Error(`${modelJsonPath}: format ${json.format} is not a graph-model`);
  if (json.modelTopology.library?.function?.length)
    throw new Error(`${modelJsonPath}: graph functions (control flow) are not supported`);
  const weights = decodeWeightGroups(json.weightsManifest, dirname(modelJsonPath), modelJsonPath);
  const sig = json.signature ?? json.userDefinedMetadata?.signature;
  return {
    nodes: json.modelTopology.node,
    weights,
    inputs: Object.values(sig?.inputs ?? {}),
    outputs: Object.values(sig?.outputs ?? {}),
    format: json.format ?? 'graph-model',
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
  };
}

/** Decodes the weight groups of a TF.js manifest (shard paths relative to `dir`). */
function decodeWeightGroups(
  groups: { paths: string[]; weights: WeightEntry[] }[],
  dir: string,
  what: string,
): Map<string, ConstTensor> {
  const weights = new Map<string, ConstTensor>();
  for (const group of groups) {
    const shards = group.paths.map((p) => readFileSync(join(dir, p)));
    const total = shards.reduce((a, b) => a + b.length, 0);
    const buf = new Uint8Array(total);
    let off = 0;
    for (const s of shards) {
      buf.set(s, off);
      off += s.length;
    }
    let pos = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const size = n * BYTES[w.quantization ? w.quantization.dtype : w.dtype];
      if (!size && n) throw new Error(`weight ${w.name}: unknown dtype`);
      if (pos + size > total) throw new Error(`weight ${w.name}: shard data too short (${total} bytes)`);
      weights.set(w.name, decodeWeight(w, buf.subarray(pos, pos + size)));
      pos += size;
    }
    if (pos !== total)
      throw new Error(`${what}: ${total - pos} unused bytes in weight shards ${group.paths.join(',')}`);
  }
  return weights;
}

/**
 * Loads a weights-only TF.js manifest (`*-weights_manifest.json`, as face-api ships its models: the
 * network is defined in code, the file holds only the weights) and its shards.
 */
export function loadTfWeights(manifestPath: string): Map<string, ConstTensor> {
  const groups = JSON.parse(readFileSync(manifestPath, 'utf8')) as { paths: string[]; weights: WeightEntry[] }[];
  return decodeWeightGroups(groups, dirname(manifestPath), manifestPath);
}
