// `nx run model-build:bench-peer` (dev only): the same frames as `model-build:bench` through the
// library a user would otherwise pick, @vladmandic/human (whose BlazeFace and FaceRes this project
// converts) on TensorFlow.js' WASM backend, one thread, with only the work this project does per
// frame enabled (face detection + FaceRes description; no mesh, iris, emotion, body, hands), its
// frame cache off. Then the same frames through libs/vision on one thread, and the ratio.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { Vision } from '@airport-mesh/vision';
import { cpuFlags, cpuModel } from './bench-calibration.js';
import { composeFrame } from './bench-frames.js';
import { findPackageDir, packageVersion } from './models.js';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 20);
const WARMUP = 3;

interface HumanResult {
  face: { age?: number; gender?: string }[];
}
interface HumanLike {
  tf: {
    tensor: (data: Uint8Array, shape: number[], dtype: string) => { dispose(): void };
    getBackend(): string;
    env(): { getBool(flag: string): boolean; getNumber?(flag: string): number };
  };
  load(): Promise<void>;
  detect(input: unknown): Promise<HumanResult>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  sharp.concurrency(1);
  const require = createRequire(import.meta.url);
  const humanDir = findPackageDir('@vladmandic/human');
  const wasmDir = join(findPackageDir('@tensorflow/tfjs-backend-wasm'), 'dist') + '/';
  const { Human } = require(join(humanDir, 'dist', 'human.node-wasm.js')) as {
    Human: new (config: unknown) => HumanLike;
  };
  // TF.js in Node fetches its models over HTTP (file:// is not implemented): a static server on loopback
  const models = join(humanDir, 'models');
  const server = createServer((req, res) => {
    const name = (req.url ?? '/').replace(/^\/+/, '');
    if (!/^[\w.-]+$/.test(name)) return void res.writeHead(404).end();
    readFile(join(models, name)).then(
      (bytes) => res.writeHead(200).end(bytes),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const off = { enabled: false };
  const human = new Human({
    backend: 'wasm',
    wasmPath: wasmDir,
    wasmPlatformFetch: false,
    modelBasePath: `http://127.0.0.1:${port}/`,
    debug: false,
    async: false,
    warmup: 'none',
    cacheSensitivity: 0,
    filter: off,
    gesture: off,
    body: off,
    hand: off,
    object: off,
    segmentation: off,
    face: {
      enabled: true,
      detector: { rotation: false, maxDetected: 32, skipFrames: 0, skipTime: 0, return: false },
      mesh: off,
      iris: off,
      attention: off,
      emotion: off,
      antispoof: off,
      liveness: off,
      description: { enabled: true, skipFrames: 0, skipTime: 0 },
    },
  });
  await human.load();
  server.close();
  const samplesDir = join(findPackageDir('@vladmandic/face-api'), 'demo');
  const vision = await Vision.load({ threads: 1 });
  const env = human.tf.env();
  console.log(
    `CPU: ${cpuModel()} (${cpuFlags().join(', ')}); node ${process.version}; @vladmandic/human ${packageVersion(humanDir)} ` +
      `on tfjs backend ${human.tf.getBackend()} (SIMD ${env.getBool('WASM_HAS_SIMD_SUPPORT')}, multithread ${env.getBool('WASM_HAS_MULTITHREAD_SUPPORT')}); ` +
      `${FRAMES} frames after ${WARMUP} warm-up; each frame decoded from JPEG by sharp in both`,
  );
  console.log(
    'faces | human found | human ms median | this project found | this project ms median | human / this project',
  );
  for (const n of [1, 3, 6]) {
    const frame = await composeFrame(samplesDir, n);
    const humanMs: number[] = [];
    const oursMs: number[] = [];
    let humanFound = 0;
    let oursFound = 0;
    for (let i = 0; i < WARMUP + FRAMES; i++) {
      const t0 = performance.now();
      const { data, info } = await sharp(frame).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const tensor = human.tf.tensor(new Uint8Array(data), [1, info.height, info.width, 3], 'int32');
      const r = await human.detect(tensor);
      tensor.dispose();
      const t1 = performance.now();
      const ours = await vision.analyze(frame);
      const t2 = performance.now();
      humanFound = r.face.length;
      oursFound = ours.faces.length;
      if (i < WARMUP) continue;
      humanMs.push(t1 - t0);
      oursMs.push(t2 - t1);
    }
    const h = median(humanMs);
    const o = median(oursMs);
    console.log(
      `${String(n).padStart(5)} | ${String(humanFound).padStart(11)} | ${h.toFixed(1).padStart(15)} | ${String(oursFound).padStart(18)} | ${o.toFixed(1).padStart(22)} | ${(h / o).toFixed(1)}×`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
