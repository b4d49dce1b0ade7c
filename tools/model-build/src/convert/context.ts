// The shared conversion context: the TF graph, the rewrites found in it, the ONNX graph being built,
// the layout tracker, the converted values by TF node, and the op handlers (a table keyed by TF op).
// Conversion is depth-first from the outputs: `valueOf` converts a node the first time it is asked
// for, so nodes no output depends on are pruned.
import { OnnxGraphBuilder } from '../onnx-builder.js';
import type { ConstTensor, TfNode } from '../tfjs-model.js';
import { parseInput, UnsupportedOpError, type TfGraph } from './graph.js';
import { LayoutTracker, type Value } from './layout.js';
import { emitClip, type Rewrites } from './rewrites.js';

/** Converts one TF node whose inputs it reads through `ctx.valueOf`. */
export type OpHandler = (ctx: ConvertContext, node: TfNode) => Value;
export type OpTable = Record<string, OpHandler>;

export interface ContextOptions {
  /** Layout of the ONNX graph input for rank-4 image inputs. */
  inputLayout: 'NCHW' | 'NHWC';
  handlers: OpTable;
}

export class ConvertContext {
  readonly g = new OnnxGraphBuilder();
  readonly layout = new LayoutTracker(this.g);
  readonly inputLayout: 'NCHW' | 'NHWC';
  /** TF op → count of the nodes converted. */
  readonly tfOps: Record<string, number> = {};
  private readonly handlers: OpTable;
  private readonly values = new Map<string, Value>();
  private readonly visiting = new Set<string>();

  constructor(
    readonly graph: TfGraph,
    readonly rewrites: Rewrites,
    options: ContextOptions,
  ) {
    this.inputLayout = options.inputLayout;
    this.handlers = options.handlers;
  }

  /** The weight of a Const node, or undefined. */
  constOf(name: string): ConstTensor | undefined {
    return this.graph.constOf(name);
  }

  /** The converted value of a TF tensor (`node` or `node:0`), converting its node on first use. */
  valueOf(tensor: string): Value {
    const ref = parseInput(tensor);
    if (!ref) throw new Error(`control input ${tensor} used as data`);
    if (ref.index !== 0) throw new Error(`multi-output tensor ${tensor} is not supported`);
    const name = this.rewrites.aliases.get(ref.node) ?? ref.node;
    const got = this.values.get(name);
    if (got) return got;
    const node = this.graph.byName.get(name);
    if (!node) throw new Error(`tensor ${tensor}: no node named ${name}`);
    if (this.visiting.has(name)) throw new Error(`cycle through ${name}`);
    this.visiting.add(name);
    let v: Value;
    try {
      v = this.convertNode(node);
    } finally {
      this.visiting.delete(name); // a failed node is not a cycle when asked for again
    }
    this.values.set(name, v);
    this.tfOps[node.op] = (this.tfOps[node.op] ?? 0) + 1;
    return v;
  }

  private convertNode(node: TfNode): Value {
    const clip = this.rewrites.clipOf.get(node.name);
    if (clip) return emitClip(this, node.name, clip);
    if (this.rewrites.skipped.has(node.name))
      throw new Error(`internal: node ${node.name} was absorbed by a rewrite but is still referenced`);
    const handler = Object.hasOwn(this.handlers, node.op) ? this.handlers[node.op] : undefined;
    if (!handler) throw new UnsupportedOpError(node.op, node.name);
    return handler(this, node);
  }
}
