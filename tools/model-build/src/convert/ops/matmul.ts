// Dense layers: MatMul and `_FusedMatMul` (BiasAdd + activation) → ONNX Gemm on rank-2 tensors.
import type { ConstTensor, TfNode } from '../../tfjs-model.js';
import type { ConvertContext, OpTable } from '../context.js';
import { bool, fusedOps, UnsupportedOpError } from '../graph.js';
import type { Value } from '../layout.js';
import { perChannel } from '../rewrites.js';
import { fusedActivation } from './activation.js';

function convertMatMul(ctx: ConvertContext, node: TfNode): Value {
  const ins = ctx.graph.dataInputs(node);
  const a = ctx.valueOf(node.input![0]);
  const b = ctx.valueOf(node.input![1]);
  const ta = bool(node.attr?.transpose_a, false);
  const tb = bool(node.attr?.transpose_b, false);
  if (a.shape.length !== 2 || b.shape.length !== 2)
    throw new UnsupportedOpError(node.op, node.name, 'only rank-2 MatMul');
  const n = tb ? b.shape[0] : b.shape[1];
  let bias: Float32Array | null = null;
  let act: string | undefined;
  let alpha: ConstTensor | undefined;
  if (node.op === '_FusedMatMul') {
    const fused = fusedOps(node);
    const args = ins.slice(2).map((i) => ctx.constOf(i.node));
    if (fused[0] !== 'BiasAdd' || fused.length > 2)
      throw new UnsupportedOpError(node.op, node.name, `fused ops ${fused.join('+')}`);
    bias = perChannel(args[0], n);
    if (!bias) throw new Error(`${node.name}: bias must be a constant of ${n}`);
    act = fused[1];
    if (act === 'Prelu') alpha = args[1];
  }
  const inputs = [ctx.layout.plain(a, node.name), ctx.layout.plain(b, `${node.name}/B`)];
  if (bias) inputs.push(ctx.g.initFloat(`${node.name}/bias`, [n], bias));
  const y = ctx.g.op('Gemm', inputs, { transA: ta ? 1 : 0, transB: tb ? 1 : 0 }, node.name);
  const shape = [ta ? a.shape[1] : a.shape[0], n];
  return { name: fusedActivation(ctx, y, act, node, shape, false, alpha), shape, dtype: 'float32', nchw: false };
}

export const matmulOps: OpTable = { MatMul: convertMatMul, _FusedMatMul: convertMatMul };
