// Small TF graphs built in memory (no files), and what the tests of the converter's parts read back:
// the ONNX nodes and initializers of a builder or of an encoded model, and a run in onnxruntime.
import onnxProto from 'onnx-proto';
import ort from 'onnxruntime-node';
import { ConvertContext, type OpTable } from '../src/convert/context.js';
import { TfGraph } from '../src/convert/graph.js';
import { findRewrites } from '../src/convert/rewrites.js';
import { encodeModel, reserveOutputs, writeInputs, writeOutputs } from '../src/convert/write.js';
import type { ConstTensor, TfAttr, TfGraphModel, TfNode } from '../src/tfjs-model.js';

/** A string attribute as the TF.js JSON spells it (base64). */
export const s = (v: string): TfAttr => ({ s: Buffer.from(v).toString('base64') });
/** An int-list attribute. */
export const list = (v: number[]): TfAttr => ({ list: { i: v.map(String) } });

export class TinyGraph {
  readonly nodes: TfNode[] = [];
  readonly weights = new Map<string, ConstTensor>();

  input(name: string, dims: number[]): string {
    const shape = { dim: dims.map((d) => ({ size: String(d) })) };
    this.nodes.push({ name, op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape } } });
    return name;
  }

  konst(name: string, shape: number[], values: number[], dtype: 'float32' | 'int32' = 'float32'): string {
    const data = dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values);
    this.weights.set(name, { dtype, shape, data });
    this.nodes.push({ name, op: 'Const', attr: {} });
    return name;
  }

  node(name: string, op: string, input: string[], attr: Record<string, TfAttr> = {}): string {
    this.nodes.push({ name, op, input, attr });
    return name;
  }

  model(outputs: string[]): TfGraphModel {
    return {
      nodes: this.nodes,
      weights: this.weights,
      inputs: [],
      outputs: outputs.map((o) => ({ name: `${o}:0` })),
      format: 'graph-model',
    };
  }
}

/** A conversion context over `model` with only the handlers in `handlers` (e.g. one op family). */
export function contextFor(model: TfGraphModel, handlers: OpTable, inputLayout: 'NCHW' | 'NHWC' = 'NHWC') {
  const graph = new TfGraph(model);
  return new ConvertContext(graph, findRewrites(graph), { inputLayout, handlers });
}

/** Converts `model` with `handlers` through the writer, as convertTfGraph does with all of them. */
export function convertWith(model: TfGraphModel, handlers: OpTable, inputLayout: 'NCHW' | 'NHWC' = 'NHWC') {
  const ctx = contextFor(model, handlers, inputLayout);
  const reserved = reserveOutputs(ctx);
  const inputs = writeInputs(ctx);
  return encodeModel(ctx, { inputs, outputs: writeOutputs(ctx, reserved) }, {});
}

/** An encoded model read back: its nodes in order, and its initializers as numbers (float32 or int64). */
export function decodeModel(bytes: Uint8Array) {
  const graph = onnxProto.onnx.ModelProto.decode(bytes).graph!;
  const init = (name: string): { dims: number[]; values: number[] } => {
    const t = (graph.initializer ?? []).find((i) => i.name === name);
    if (!t) throw new Error(`no initializer ${name}`);
    const raw = t.rawData!;
    const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
    const values = t.dataType === 7 ? Array.from(new BigInt64Array(buf), Number) : Array.from(new Float32Array(buf));
    return { dims: (t.dims ?? []).map(Number), values };
  };
  return { nodes: (graph.node ?? []).map((n) => ({ opType: n.opType ?? '', input: n.input ?? [], proto: n })), init };
}

/** An attribute of an ONNX node as a number, a list or a string. */
export function attrOf(node: onnxProto.onnx.INodeProto, name: string): number | number[] | string | undefined {
  const a = node.attribute?.find((x) => x.name === name);
  if (!a) return undefined;
  if (a.ints?.length) return a.ints.map(Number);
  if (a.s?.length) return Buffer.from(a.s).toString('utf8');
  if (a.type === onnxProto.onnx.AttributeProto.AttributeType.FLOAT) return a.f ?? 0;
  if (a.type === onnxProto.onnx.AttributeProto.AttributeType.INTS) return [];
  return Number(a.i ?? 0);
}

/** Runs an encoded model on one float32 input; returns each output's dims and data. */
export async function runOnnx(
  bytes: Uint8Array,
  input: { name: string; dims: number[]; data: number[] },
): Promise<Record<string, { dims: number[]; data: number[] }>> {
  const session = await ort.InferenceSession.create(bytes);
  const got = await session.run({ [input.name]: new ort.Tensor('float32', Float32Array.from(input.data), input.dims) });
  return Object.fromEntries(
    Object.entries(got).map(([k, t]) => [k, { dims: Array.from(t.dims), data: Array.from(t.data as Float32Array) }]),
  );
}
