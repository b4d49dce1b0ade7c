// Exact graph rewrites found before conversion (algebraic identities, not approximations):
//   * Conv2D/DepthwiseConv2dNative → Mul(per-channel const) → Add/BiasAdd(per-channel const): the
//     scale and offset (batch-norm left unfused by the TF exporter) are folded into weights/bias;
//   * Relu → Minimum(c) → Maximum(m ≤ 0) (Keras' ReLU(max_value=c)) becomes one Clip(0, c).
// A rewrite only applies when each absorbed intermediate has a single consumer and is no graph output.
// Also the arithmetic of folding, shared with the conv handlers' fused batch norm.
import type { ConstTensor } from '../tfjs-model.js';
import type { ConvertContext } from './context.js';
import { fusedOps, type TfGraph } from './graph.js';
import { numel, sameAs, type Value } from './layout.js';

/** A per-channel affine (y = x·scale + offset) to fold into the convolution `Rewrites.folds` is keyed by. */
export interface Fold {
  scale?: Float32Array;
  offset?: Float32Array;
  /** The node whose output the folded conv now produces. */
  last: string;
}

export interface Clip {
  /** The tensor the clip reads (the Relu's input). */
  input: string;
  max: number;
}

export interface Rewrites {
  /** Convolution node → the affine folded into it. */
  folds: Map<string, Fold>;
  /** Last node of a Relu → Minimum [→ Maximum] chain → the Clip replacing the chain. */
  clipOf: Map<string, Clip>;
  /** Nodes absorbed by a rewrite (converting one is an internal error). */
  skipped: Set<string>;
  /** Absorbed node → the node producing its value. */
  aliases: Map<string, string>;
  counts: { foldedAffine: number; clips: number };
}

/** Per-channel vector of a constant broadcast against the last (channel) axis, or null. */
export function perChannel(c: ConstTensor | undefined, channels: number): Float32Array | null {
  if (!c || c.dtype !== 'float32') return null;
  const n = numel(c.shape);
  if (n === 1) return new Float32Array(channels).fill(c.data[0]);
  if (n !== channels || c.shape[c.shape.length - 1] !== channels) return null;
  return Float32Array.from(c.data);
}

export function findRewrites(graph: TfGraph): Rewrites {
  const rw: Rewrites = {
    folds: new Map(),
    clipOf: new Map(),
    skipped: new Set(),
    aliases: new Map(),
    counts: { foldedAffine: 0, clips: 0 },
  };
  findAffineFolds(graph, rw);
  findClips(graph, rw);
  return rw;
}

/** Rewrite 1: fold per-channel Mul/Add following a linear convolution. */
function findAffineFolds(graph: TfGraph, rw: Rewrites): void {
  for (const n of graph.nodes) {
    const isConv = n.op === 'Conv2D' || n.op === 'DepthwiseConv2dNative';
    const isFusedLinear =
      (n.op === '_FusedConv2D' || n.op === 'FusedDepthwiseConv2dNative') && fusedOps(n).join(',') === 'BiasAdd';
    if (!isConv && !isFusedLinear) continue;
    const filter = graph.constOf(graph.dataInputs(n)[1]?.node ?? '');
    if (!filter) continue;
    const outC = n.op.includes('Depthwise') ? filter.shape[2] * filter.shape[3] : filter.shape[3];
    let cur = n.name;
    const fold: Fold = { last: n.name };
    let next = graph.single(cur);
    if (next && next.op === 'Mul') {
      const other = graph.dataInputs(next).find((i) => i.node !== cur);
      const s = perChannel(graph.constOf(other?.node ?? ''), outC);
      if (s && graph.dataInputs(next).length === 2) {
        fold.scale = s;
        rw.skipped.add(next.name);
        cur = next.name;
        next = graph.single(cur);
      }
    }
    if (next && (next.op === 'Add' || next.op === 'AddV2' || next.op === 'BiasAdd')) {
      const ins = graph.dataInputs(next);
      const o = perChannel(graph.constOf(ins.find((i) => i.node !== cur)?.node ?? ''), outC);
      if (o && ins.length === 2 && (next.op !== 'BiasAdd' || ins[0].node === cur)) {
        fold.offset = o;
        rw.skipped.add(next.name);
        cur = next.name;
      }
    }
    if (cur !== n.name) {
      fold.last = cur;
      rw.folds.set(n.name, fold);
      rw.aliases.set(cur, n.name);
      rw.counts.foldedAffine++;
    }
  }
}

/** Rewrite 2: Relu → Minimum(c) [→ Maximum(m ≤ 0)] ⇒ Clip(0, c). */
function findClips(graph: TfGraph, rw: Rewrites): void {
  const scalarOther = (node: string, from: string): ConstTensor | undefined => {
    const c = graph.constOf(graph.dataInputs(graph.byName.get(node)!).find((i) => i.node !== from)?.node ?? '');
    return c && numel(c.shape) === 1 ? c : undefined;
  };
  for (const n of graph.nodes) {
    if (n.op !== 'Relu') continue;
    const mn = graph.single(n.name);
    if (!mn || mn.op !== 'Minimum' || graph.dataInputs(mn).length !== 2) continue;
    const c = scalarOther(mn.name, n.name);
    if (!c || c.dtype !== 'float32') continue;
    let last = mn;
    const mx = graph.single(mn.name);
    if (mx && mx.op === 'Maximum' && graph.dataInputs(mx).length === 2) {
      const m = scalarOther(mx.name, mn.name);
      if (m && m.data[0] <= 0) last = mx;
    }
    const src = graph.dataInputs(n)[0];
    if (src.index !== 0) continue;
    rw.skipped.add(n.name);
    if (last !== mn) rw.skipped.add(mn.name);
    rw.clipOf.set(last.name, { input: src.node, max: c.data[0] });
    rw.counts.clips++;
  }
}

/** Emits the Clip(0, max) that replaces a Relu → Minimum [→ Maximum] chain ending at `nodeName`. */
export function emitClip(ctx: ConvertContext, nodeName: string, clip: Clip): Value {
  const x = ctx.valueOf(clip.input);
  const y = ctx.g.op(
    'Clip',
    [
      x.name || ctx.layout.plain(x, nodeName),
      ctx.g.initFloat('zero', [], new Float32Array([0])),
      ctx.g.initFloat(`clip_max_${clip.max}`, [], new Float32Array([clip.max])),
    ],
    {},
    nodeName,
  );
  return sameAs(x, y);
}

/**
 * Folds an inference batch norm y = (x − mean)·scale/√(variance + eps) + offset into the convolution
 * weights (`weight`, laid out [outC, …], scaled in place); returns the bias.
 */
export function foldBatchNorm(
  weight: Float32Array,
  outC: number,
  bn: { scale: Float32Array; offset: Float32Array; mean: Float32Array; variance: Float32Array; eps: number },
): Float32Array {
  const s = bn.scale.map((v, i) => v / Math.sqrt(bn.variance[i] + bn.eps));
  const per = weight.length / outC;
  for (let o = 0; o < outC; o++) for (let k = 0; k < per; k++) weight[o * per + k] *= s[o];
  return bn.offset.map((v, i) => v - bn.mean[i] * s[i]);
}

/** Folds an affine found by rewrite 1 into the weights (in place) and bias; returns the new bias. */
export function applyFold(
  weight: Float32Array,
  bias: Float32Array | null,
  outC: number,
  fold: Fold,
): Float32Array | null {
  const per = weight.length / outC;
  if (fold.scale) {
    for (let o = 0; o < outC; o++) for (let k = 0; k < per; k++) weight[o * per + k] *= fold.scale[o];
    if (bias) bias = bias.map((v, i) => v * fold.scale![i]);
  }
  if (fold.offset) bias = bias ? bias.map((v, i) => v + fold.offset![i]) : Float32Array.from(fold.offset);
  return bias;
}
