// ONNX writing: the graph inputs and outputs (each output an Identity named as the caller asks, in TF
// memory order), and the serialised model with its op histograms.
import { ElemType } from '../onnx-builder.js';
import type { ConvertContext } from './context.js';
import { parseInput } from './graph.js';
import { NCHW_FROM_NHWC } from './layout.js';
import { onnxDims } from './ops/source.js';

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

/** Output tensors and their ONNX names, reserved first so that no internal value takes them. */
export function reserveOutputs(
  ctx: ConvertContext,
  outputNames: Record<string, string> = {},
  only?: string[],
): { tensors: string[]; names: string[] } {
  const all = ctx.graph.graphOutputs();
  const unknown = (only ?? []).filter((t) => !all.includes(t));
  if (unknown.length) throw new Error(`not graph outputs: ${unknown.join(', ')} (the graph's are ${all.join(', ')})`);
  const tensors = only ? all.filter((t) => only.includes(t)) : all;
  const names = tensors.map((t) => outputNames[t] ?? parseInput(t)!.node);
  if (new Set(names).size !== names.length) throw new Error(`duplicate output names ${names.join(',')}`);
  for (const n of names) ctx.g.uniqueName(n);
  return { tensors, names };
}

/** Converts the graph inputs (Placeholders become ONNX inputs). */
export function writeInputs(ctx: ConvertContext): ConvertedIo[] {
  return ctx.graph.graphInputs().map((name) => {
    const v = ctx.valueOf(name);
    return {
      name,
      shape: v.nchw ? NCHW_FROM_NHWC.map((i) => v.shape[i]) : v.shape,
      layout: v.shape.length === 4 ? (v.nchw ? 'NCHW' : 'NHWC') : 'plain',
      tfName: name,
    };
  });
}

/** Converts each output tensor (and all it depends on) and names it as an ONNX graph output. */
export function writeOutputs(ctx: ConvertContext, reserved: { tensors: string[]; names: string[] }): ConvertedIo[] {
  return reserved.tensors.map((t, k) => {
    const v = ctx.valueOf(t);
    const outName = reserved.names[k];
    const src = ctx.layout.plain(v, outName);
    ctx.g.node('Identity', [src], {}, `${outName}/output`, [outName]);
    ctx.g.addOutput(outName, v.dtype === 'float32' ? ElemType.FLOAT : ElemType.INT32, onnxDims(v.shape));
    return { name: outName, shape: v.shape, layout: 'plain', tfName: t };
  });
}

/** The serialised model and the report of the conversion. */
export function encodeModel(
  ctx: ConvertContext,
  io: { inputs: ConvertedIo[]; outputs: ConvertedIo[] },
  meta: { graphName?: string; docString?: string; metadata?: Record<string, string> },
): ConvertResult {
  const onnx = ctx.g.encode(meta.graphName ?? 'graph', meta.docString ?? '', meta.metadata ?? {});
  return {
    onnx,
    ...io,
    onnxOps: ctx.g.opHistogram(),
    tfOps: Object.fromEntries(Object.entries(ctx.tfOps).sort(([a], [b]) => a.localeCompare(b))),
    rewrites: { ...ctx.rewrites.counts },
  };
}
