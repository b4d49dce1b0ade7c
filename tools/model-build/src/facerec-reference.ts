// face-api's own FaceRecognitionNet on TF.js (pure-JS CPU backend), from the package's files: the
// reference facerec.onnx is compared against (test/facerec.spec.ts). Dev/test only; run in a plain
// Node process for the reason given in reference.ts.
//
// CLI: `node dist/tool/facerec-reference.js <input.u8> <n> <result.f32>`: n RGB crops of 150×150 (HWC
// bytes), out n × 128 float32 descriptors.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findPackageDir } from './models.js';

interface FaceApi {
  nets: {
    faceRecognitionNet: {
      loadFromDisk(dir: string): Promise<void>;
      computeFaceDescriptor(t: unknown): Promise<Float32Array>;
    };
  };
}

async function main([inputPath, n, resultPath]: string[]): Promise<void> {
  const require = createRequire(import.meta.url);
  const tf = require('@tensorflow/tfjs') as {
    setBackend(b: string): Promise<boolean>;
    ready(): Promise<void>;
    tensor3d(v: Float32Array, shape: number[]): { dispose(): void };
  };
  const dir = findPackageDir('@vladmandic/face-api');
  // the Node build that takes the @tensorflow/tfjs installed beside it (its WASM backend is not used)
  const faceapi = require(join(dir, 'dist/face-api.node-wasm.js')) as FaceApi;
  await tf.setBackend('cpu');
  await tf.ready();
  await faceapi.nets.faceRecognitionNet.loadFromDisk(join(dir, 'model'));
  const bytes = readFileSync(inputPath);
  const per = 150 * 150 * 3;
  const out = new Float32Array(Number(n) * 128);
  for (let i = 0; i < Number(n); i++) {
    const t = tf.tensor3d(Float32Array.from(bytes.subarray(i * per, (i + 1) * per)), [150, 150, 3]);
    out.set(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(t), i * 128);
    t.dispose();
  }
  writeFileSync(resultPath, Buffer.from(out.buffer));
}

if (process.argv[1] && process.argv[1].endsWith('facerec-reference.js')) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
