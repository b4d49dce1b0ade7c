// Reading the TF graph: nodes by name, tensor references (`node:index`, `^control`), consumers,
// constants with their weight data, and the attribute spellings of the TF.js JSON.
import type { ConstTensor, TfAttr, TfGraphModel, TfNode } from '../tfjs-model.js';

export interface TensorRef {
  node: string;
  index: number;
}

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

/** A string attribute (base64 in the TF.js JSON). */
export const b64 = (s: string | undefined): string =>
  s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8');
export const ints = (a: TfAttr | undefined): number[] => (a?.list?.i ?? []).map((x) => Number(x));
export const int = (a: TfAttr | undefined, def: number): number => (a?.i === undefined ? def : Number(a.i));
export const bool = (a: TfAttr | undefined, def: boolean): boolean => (a?.b === undefined ? def : a.b);
/** The fused ops of a `_Fused*` node, e.g. ['BiasAdd', 'Relu']. */
export const fusedOps = (node: TfNode): string[] => (node.attr?.fused_ops?.list?.s ?? []).map(b64);

/** `name:1` → { node: 'name', index: 1 }; a control dependency `^name` → null. */
export function parseInput(s: string): TensorRef | null {
  if (s.startsWith('^')) return null; // control dependency
  const m = /^(.*?)(?::(\d+))?$/.exec(s);
  if (!m) throw new Error(`bad tensor name ${s}`);
  return { node: m[1], index: m[2] ? Number(m[2]) : 0 };
}

/** The graph of a TF.js model, indexed for conversion. */
export class TfGraph {
  readonly byName = new Map<string, TfNode>();
  /** Node name → the nodes reading one of its outputs. */
  readonly consumers = new Map<string, TfNode[]>();
  /** Signature output tensors (may be empty: then every unconsumed non-Const node is an output). */
  readonly outputTensors: string[];
  readonly outputNodes: Set<string>;

  constructor(readonly model: TfGraphModel) {
    for (const n of model.nodes) this.byName.set(n.name, n);
    for (const n of model.nodes)
      for (const i of this.dataInputs(n)) this.consumers.set(i.node, [...(this.consumers.get(i.node) ?? []), n]);
    this.outputTensors = model.outputs.map((o) => o.name);
    this.outputNodes = new Set(this.outputTensors.map((t) => parseInput(t)!.node));
  }

  get nodes(): TfNode[] {
    return this.model.nodes;
  }

  /** The data (non-control) inputs of a node. */
  dataInputs(n: TfNode): TensorRef[] {
    return (n.input ?? []).map(parseInput).filter((x): x is TensorRef => x !== null);
  }

  /** The weight of a Const node, or undefined when `name` is not a Const. */
  constOf(name: string): ConstTensor | undefined {
    const n = this.byName.get(name);
    if (!n || n.op !== 'Const') return undefined;
    const w = this.model.weights.get(n.name);
    if (!w) throw new Error(`Const node "${n.name}" has no weight data`);
    return w;
  }

  /** The only consumer of a node that is not a graph output (what a rewrite may absorb). */
  single(name: string): TfNode | undefined {
    const c = this.consumers.get(name);
    return c && c.length === 1 && !this.outputNodes.has(name) ? c[0] : undefined;
  }

  /** Output tensors: the signature's, or every unconsumed non-Const node. */
  graphOutputs(): string[] {
    return this.outputTensors.length
      ? this.outputTensors
      : this.nodes.filter((n) => !this.consumers.has(n.name) && n.op !== 'Const').map((n) => n.name);
  }

  /** Input nodes: the signature's, or every Placeholder. */
  graphInputs(): string[] {
    return this.model.inputs.length
      ? this.model.inputs.map((i) => parseInput(i.name)!.node)
      : this.nodes.filter((n) => n.op === 'Placeholder').map((n) => n.name);
  }
}
