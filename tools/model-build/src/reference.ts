// Runs a TF.js graph model with pure-JS @tensorflow/tfjs (CPU backend) from local files: the
// reference the ONNX conversion is compared against. Dev/test only; nothing here is fetched.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

let backendReady: Promise<boolean> | undefined;

export function cpuBackend(): Promise<boolean> {
  backendReady ??= tf.setBackend('cpu');
  return backendReady;
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  signature?: object;
  userDefinedMetadata?: { [key: string]: object };
}

/** An IOHandler reading model.json and its shards from disk. */
export function fileHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as ModelJson;
      const shards = json.weightsManifest.flatMap((g) =>
        g.paths.map((p) => readFileSync(join(dirname(modelJsonPath), p))),
      );
      const data = Buffer.concat(shards);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
}

export async function loadReference(modelJsonPath: string): Promise<tf.GraphModel> {
  await cpuBackend();
  return tf.loadGraphModel(fileHandler(modelJsonPath));
}

/**
 * Runs the model on an NHWC float32 input and returns every requested output as a flat array,
 * keyed by the TF tensor name.
 */
export async function runReference(
  model: tf.GraphModel,
  input: Float32Array,
  shape: number[],
  outputs: string[],
): Promise<Record<string, { data: Float32Array; shape: number[] }>> {
  const x = tf.tensor(input, shape, 'float32');
  const res = (await model.executeAsync(x, outputs)) as tf.Tensor | tf.Tensor[];
  const list = Array.isArray(res) ? res : [res];
  const out: Record<string, { data: Float32Array; shape: number[] }> = {};
  for (const [i, t] of list.entries()) out[outputs[i]] = { data: (await t.data()) as Float32Array, shape: t.shape };
  tf.dispose([x, ...list]);
  return out;
}

export { tf };

/**
 * CLI: `node dist/tool/reference.js <model.json> <input.f32> <n,h,w,c> <out1,out2…> <result.json>`.
 * Tests run the reference in a plain Node process: TF.js's ES-module sources do not load under
 * Jest's module system (tfjs-core's `long` interop breaks there).
 */
async function main(argv: string[]): Promise<void> {
  const [modelPath, inputPath, shapeArg, outputsArg, resultPath] = argv;
  const { writeFileSync } = await import('node:fs');
  const raw = readFileSync(inputPath);
  const input = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const outputs = outputsArg.split(',');
  const model = await loadReference(modelPath);
  const t0 = performance.now();
  const res = await runReference(model, input, shapeArg.split(',').map(Number), outputs);
  const ms = performance.now() - t0;
  const json = Object.fromEntries(
    Object.entries(res).map(([k, v]) => [
      k,
      { shape: v.shape, data: Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength).toString('base64') },
    ]),
  );
  writeFileSync(resultPath, JSON.stringify({ ms, outputs: json }));
}

if (process.argv[1] && process.argv[1].endsWith('reference.js')) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
