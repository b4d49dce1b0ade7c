// A small, deterministic builder for ONNX graphs, serialised with the protobuf definitions of the
// `onnx-proto` package (the official onnx.proto of ONNX v1.10, compiled for protobufjs).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const OPSET = 13;
export const IR_VERSION = 7; // the IR version that goes with opset 13

export type AttrValue = number | string | number[] | { floats: number[] } | { float: number };

export interface Dim {
  value?: number;
  param?: string;
}

export const ElemType = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

function float32Bytes(a: Float32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) dv.setFloat32(i * 4, a[i], true);
  return out;
}

function int64Bytes(a: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(a.length * 8);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) dv.setBigInt64(i * 8, BigInt(a[i]), true);
  return out;
}

function int32Bytes(a: Int32Array): Uint8Array {
  const out = new Uint8Array(a.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) dv.setInt32(i * 4, a[i], true);
  return out;
}

export class OnnxGraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private readonly initCache = new Map<string, string>();
  private readonly opCount = new Map<string, number>();

  /** A fresh value/node name derived from `hint`. */
  uniqueName(hint: string): string {
    let name = hint;
    let i = 1;
    while (this.used.has(name)) name = `${hint}_${i++}`;
    this.used.add(name);
    return name;
  }

  /** Adds a node and returns the names of its outputs. */
  node(
    opType: string,
    inputs: string[],
    attrs: Record<string, AttrValue> = {},
    nameHint = opType,
    outputs: number | string[] = 1,
  ): string[] {
    const name = this.uniqueName(nameHint);
    const outs = Array.isArray(outputs)
      ? outputs
      : outputs === 1
        ? [name]
        : Array.from({ length: outputs }, (_, i) => this.uniqueName(`${name}:${i}`));
    this.opCount.set(opType, (this.opCount.get(opType) ?? 0) + 1);
    const attribute = Object.keys(attrs)
      .sort()
      .map((k) => {
        const v = attrs[k];
        if (typeof v === 'number') {
          if (!Number.isInteger(v)) throw new Error(`attribute ${k}=${v}: use { float } for float attributes`);
          return { name: k, type: onnx.AttributeProto.AttributeType.INT, i: v };
        }
        if (typeof v === 'string')
          return { name: k, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) };
        if (Array.isArray(v)) return { name: k, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
        if ('floats' in v) return { name: k, type: onnx.AttributeProto.AttributeType.FLOATS, floats: v.floats };
        return { name: k, type: onnx.AttributeProto.AttributeType.FLOAT, f: v.float };
      });
    this.nodes.push({ name, opType, input: inputs, output: outs, attribute });
    return outs;
  }

  /** Shorthand for a single-output node. */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, nameHint = opType): string {
    return this.node(opType, inputs, attrs, nameHint, 1)[0];
  }

  initFloat(hint: string, dims: number[], data: Float32Array): string {
    return this.addInit(hint, dims, ElemType.FLOAT, float32Bytes(data));
  }

  initInt64(hint: string, dims: number[], data: ArrayLike<number>): string {
    return this.addInit(hint, dims, ElemType.INT64, int64Bytes(data));
  }

  initInt32(hint: string, dims: number[], data: Int32Array): string {
    return this.addInit(hint, dims, ElemType.INT32, int32Bytes(data));
  }

  /** Identical initializers (same dims, type and bytes) are stored once. */
  private addInit(hint: string, dims: number[], dataType: number, rawData: Uint8Array): string {
    const key = `${dataType}|${dims.join(',')}|${Buffer.from(rawData).toString('base64')}`;
    const cached = this.initCache.get(key);
    if (cached) return cached;
    const name = this.uniqueName(hint);
    this.initializers.push({ name, dims, dataType, rawData });
    this.initCache.set(key, name);
    return name;
  }

  private valueInfo(name: string, elemType: number, dims: Dim[]): onnxProto.onnx.IValueInfoProto {
    return {
      name,
      type: {
        tensorType: {
          elemType,
          shape: { dim: dims.map((d) => (d.param ? { dimParam: d.param } : { dimValue: d.value })) },
        },
      },
    };
  }

  addInput(name: string, elemType: number, dims: Dim[]): void {
    this.used.add(name);
    this.inputs.push(this.valueInfo(name, elemType, dims));
  }

  addOutput(name: string, elemType: number, dims: Dim[]): void {
    this.outputs.push(this.valueInfo(name, elemType, dims));
  }

  opHistogram(): Record<string, number> {
    return Object.fromEntries([...this.opCount.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Serialises the model. Everything is deterministic: no timestamps, names and order from the source graph. */
  encode(graphName: string, docString: string, metadata: Record<string, string>): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'airport-mesh model-build',
      producerVersion: '1',
      docString,
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: Object.keys(metadata)
        .sort()
        .map((key) => ({ key, value: metadata[key] })),
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
