// The converter op by op: a synthetic graph using the ops the real models don't, run by TF.js
// (the reference) and by onnxruntime on the converted model; and unknown ops must throw.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { convertTfGraph, UnsupportedOpError } from '../src/convert.js';
import { loadTfGraphModel } from '../src/tfjs-model.js';
import { maxAbsDiff, nhwcToNchw, runReferenceProcess } from './reference-process.js';
import { writeSyntheticModel } from './synthetic-graph.js';

const dir = mkdtempSync(join(tmpdir(), 'model-build-'));

test('synthetic graph: every op matches TF.js (max abs diff < 1e-5)', async () => {
  const path = writeSyntheticModel(join(dir, 'ops'));
  const res = convertTfGraph(loadTfGraphModel(path));
  for (const op of [
    'Conv',
    'Clip',
    'Elu',
    'AveragePool',
    'Pad',
    'Relu', // Prelu on NCHW with a constant slope: Relu and depthwise 1×1 Convs (activation.ts preluNchw)
    'Resize',
    'MaxPool',
    'Tanh',
    'Concat',
    'Sub',
    'Div',
    'ReduceMean',
    'Transpose',
    'Slice',
    'Reshape',
    'Squeeze',
    'Gemm',
    'Sigmoid',
    'Softmax',
  ]) {
    expect(res.onnxOps[op] ?? 0).toBeGreaterThan(0);
  }
  const input = Float32Array.from({ length: 12 * 12 * 3 }, (_, i) => Math.sin(i * 0.37) * 2);
  const ref = runReferenceProcess(path, input, [1, 12, 12, 3], ['out:0', 'out4d:0']).outputs;
  const session = await ort.InferenceSession.create(res.onnx);
  const got = await session.run({ x: new ort.Tensor('float32', nhwcToNchw(input, 1, 12, 12, 3), [1, 3, 12, 12]) });
  for (const [tf, name] of [
    ['out:0', 'out'],
    ['out4d:0', 'out4d'],
  ]) {
    expect(Array.from(got[name].dims)).toEqual(ref[tf].shape);
    expect(maxAbsDiff(ref[tf].data, got[name].data as Float32Array)).toBeLessThan(1e-5);
  }
}, 60_000);

test('converting some outputs leaves out the nodes only the others need, and gives the same values', async () => {
  const path = writeSyntheticModel(join(dir, 'some'));
  const full = convertTfGraph(loadTfGraphModel(path));
  const part = convertTfGraph(loadTfGraphModel(path), { outputs: ['out:0'] });
  expect(part.outputs.map((o) => o.name)).toEqual(['out']);
  const count = (ops: Record<string, number>) => Object.values(ops).reduce((a, b) => a + b, 0);
  expect(count(part.onnxOps)).toBeLessThan(count(full.onnxOps));
  expect(part.onnx.length).toBeLessThan(full.onnx.length);
  const input = Float32Array.from({ length: 12 * 12 * 3 }, (_, i) => Math.cos(i * 0.21));
  const feed = { x: new ort.Tensor('float32', nhwcToNchw(input, 1, 12, 12, 3), [1, 3, 12, 12]) };
  const a = await (await ort.InferenceSession.create(full.onnx)).run(feed);
  const b = await (await ort.InferenceSession.create(part.onnx)).run(feed);
  expect(Object.keys(b)).toEqual(['out']);
  expect(Array.from(b.out.data as Float32Array)).toEqual(Array.from(a.out.data as Float32Array));
  expect(() => convertTfGraph(loadTfGraphModel(path), { outputs: ['nope:0'] })).toThrow(/not graph outputs: nope:0/);
});

test('an unknown op fails loudly, naming the op and the node', () => {
  const path = writeSyntheticModel(
    join(dir, 'unknown'),
    [{ name: 'weird', op: 'Atan2', input: ['out', 'out'], attr: {} }],
    ['weird'],
  );
  expect(() => convertTfGraph(loadTfGraphModel(path))).toThrow(UnsupportedOpError);
  expect(() => convertTfGraph(loadTfGraphModel(path))).toThrow(/unsupported TF op "Atan2" \(node "weird"\)/);
});

test('conversion is deterministic', () => {
  const path = writeSyntheticModel(join(dir, 'det'));
  const a = convertTfGraph(loadTfGraphModel(path)).onnx;
  const b = convertTfGraph(loadTfGraphModel(path)).onnx;
  expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
});
