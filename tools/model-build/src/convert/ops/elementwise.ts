// Element-wise math: binary ops with broadcasting (in the layout of their activation operand) and
// unary ops, including the two TF has that ONNX spells differently (Rsqrt, Square).
import type { TfNode } from '../../tfjs-model.js';
import type { ConvertContext, OpHandler, OpTable } from '../context.js';
import { b64, UnsupportedOpError } from '../graph.js';
import { sameAs, type Value } from '../layout.js';

/** TF op → ONNX op of the binary element-wise ops. */
export const BINARY_OPS: Record<string, string> = {
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

/** Numpy broadcasting of two TF shapes (-1: unknown). */
export function broadcastShapes(a: number[], b: number[], where: string): number[] {
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

function convertBinary(ctx: ConvertContext, node: TfNode): Value {
  const [a, b] = node.input!.filter((i) => !i.startsWith('^')).map((t) => ctx.valueOf(t));
  const onnxOp = BINARY_OPS[node.op];
  if (node.op === 'BiasAdd') {
    const fmt = b64(node.attr?.data_format?.s) || 'NHWC';
    if (fmt !== 'NHWC') throw new UnsupportedOpError(node.op, node.name, `data_format ${fmt}`);
  }
  if (node.op === 'Div' && a.dtype === 'int32') throw new UnsupportedOpError(node.op, node.name, 'integer division');
  const shape = broadcastShapes(a.shape, b.shape, node.name);
  const useNchw = (a.nchw || b.nchw) && shape.length === 4;
  const operand = (v: Value, hint: string) => (useNchw ? ctx.layout.nchwOperand(v, hint) : ctx.layout.plain(v, hint));
  const ia = operand(a, `${node.name}/a`);
  const ib = operand(b, `${node.name}/b`);
  return { name: ctx.g.op(onnxOp, [ia, ib], {}, node.name), shape, dtype: a.dtype, nchw: useNchw };
}

/** The first input of a unary op, as an ONNX name in whichever layout it has. */
export function unaryInput(ctx: ConvertContext, node: TfNode): { x: Value; name: string } {
  const x = ctx.valueOf(node.input![0]);
  return { x, name: x.name || ctx.layout.plain(x, node.name) };
}

/** A unary op whose ONNX op has the same semantics and no attributes. */
export const unary =
  (onnxOp: string): OpHandler =>
  (ctx, node) => {
    const { x, name } = unaryInput(ctx, node);
    return sameAs(x, ctx.g.op(onnxOp, [name], {}, node.name));
  };

/** Handlers for unary TF ops whose ONNX op has the same name. */
export const sameNamedUnary = (ops: string[]): OpTable => Object.fromEntries(ops.map((op) => [op, unary(op)]));

export const elementwiseOps: OpTable = {
  ...Object.fromEntries(Object.keys(BINARY_OPS).map((op) => [op, convertBinary])),
  ...sameNamedUnary(['Exp', 'Log', 'Sqrt', 'Neg', 'Abs', 'Floor', 'Reciprocal']),
  Rsqrt: (ctx, node) => {
    const { x, name } = unaryInput(ctx, node);
    const s = ctx.g.op('Sqrt', [name], {}, `${node.name}/sqrt`);
    return sameAs(x, ctx.g.op('Reciprocal', [s], {}, node.name));
  },
  Square: (ctx, node) => {
    const { x, name } = unaryInput(ctx, node);
    return sameAs(x, ctx.g.op('Mul', [name, name], {}, node.name));
  },
};
