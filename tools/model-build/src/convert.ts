// TensorFlow GraphDef (as stored in a TF.js graph model) → ONNX (opset 13). The parts, each testable
// alone, are in convert/:
//   graph.ts     reading the TF graph (nodes, tensor references, consumers, constants, attributes);
//   layout.ts    NHWC→NCHW tracking: which values live as NCHW, the Transposes between layouts;
//   rewrites.ts  exact rewrites found before conversion (affine/batch-norm folding, ReLU6 → Clip);
//   context.ts   the shared conversion context and the depth-first conversion from the outputs;
//   ops/*.ts     one file per op family, each a table of handlers keyed by TF op (ops/index.ts);
//   write.ts     graph inputs/outputs and the serialised ONNX model.
// Any op the handler table does not know throws an UnsupportedOpError naming the op and node: a model
// must never be converted partially.
import type { TfGraphModel } from './tfjs-model.js';
import { ConvertContext } from './convert/context.js';
import { TfGraph } from './convert/graph.js';
import { OP_HANDLERS } from './convert/ops/index.js';
import { findRewrites } from './convert/rewrites.js';
import { encodeModel, reserveOutputs, writeInputs, writeOutputs, type ConvertResult } from './convert/write.js';

export { UnsupportedOpError } from './convert/graph.js';
export { transposeData } from './convert/layout.js';
export type { ConvertedIo, ConvertResult } from './convert/write.js';

export interface ConvertOptions {
  /** Layout of the ONNX graph input for rank-4 image inputs. Default NCHW (what the runtime feeds). */
  inputLayout?: 'NCHW' | 'NHWC';
  /** Names for the ONNX outputs, keyed by the TF signature tensor name (e.g. `Identity:0`). */
  outputNames?: Record<string, string>;
  /**
   * The graph outputs to convert (TF signature tensor names), in the graph's order; default every
   * one. Nodes none of them depends on are left out of the ONNX graph.
   */
  outputs?: string[];
  /** Graph name stored in the ONNX file. */
  graphName?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

export function convertTfGraph(model: TfGraphModel, options: ConvertOptions = {}): ConvertResult {
  const graph = new TfGraph(model);
  const ctx = new ConvertContext(graph, findRewrites(graph), {
    inputLayout: options.inputLayout ?? 'NCHW',
    handlers: OP_HANDLERS,
  });
  const reserved = reserveOutputs(ctx, options.outputNames, options.outputs);
  const inputs = writeInputs(ctx);
  const outputs = writeOutputs(ctx, reserved);
  return encodeModel(ctx, { inputs, outputs }, options);
}
