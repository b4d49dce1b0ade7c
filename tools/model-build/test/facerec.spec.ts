// face-api's face recognition network written as ONNX (src/facerec.ts) against face-api's own
// TF.js network (pure-JS CPU backend, in a child process) on the same crops: three faces of the
// sample photos and noise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { FACEREC_SIZE, faceRecognitionFromPackage } from '../src/facerec.js';
import { findPackageDir } from '../src/models.js';
import { maxAbsDiff } from './reference-process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const samples = join(findPackageDir('@vladmandic/face-api', root), 'demo');
const S = FACEREC_SIZE;

async function crop(file: string, region: { left: number; top: number; width: number; height: number }) {
  return sharp(join(samples, file)).extract(region).resize(S, S, { fit: 'fill' }).removeAlpha().raw().toBuffer();
}

test('the ONNX descriptors equal face-api’s own network’s (max |Δ| < 1e-4) for faces and noise', async () => {
  const crops = [
    await crop('sample1.jpg', { left: 414, top: 378, width: 200, height: 215 }),
    await crop('sample1.jpg', { left: 830, top: 440, width: 170, height: 200 }),
    await crop('sample1.jpg', { left: 1493, top: 240, width: 190, height: 205 }),
  ];
  let seed = 7;
  crops.push(
    Buffer.from(Uint8Array.from({ length: S * S * 3 }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256)),
  );
  const n = crops.length;
  const dir = mkdtempSync(join(tmpdir(), 'facerec-ref-'));
  try {
    writeFileSync(join(dir, 'in.u8'), Buffer.concat(crops));
    execFileSync(
      process.execPath,
      [join(root, 'dist/tool/facerec-reference.js'), join(dir, 'in.u8'), String(n), join(dir, 'out.f32')],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 240_000,
      },
    );
    const raw = readFileSync(join(dir, 'out.f32'));
    const want = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    expect(want.length).toBe(n * 128);

    const session = await ort.InferenceSession.create(faceRecognitionFromPackage().onnx, { intraOpNumThreads: 1 });
    const x = new Float32Array(n * 3 * S * S);
    crops.forEach((c, b) => {
      for (let i = 0; i < S * S; i++) for (let ch = 0; ch < 3; ch++) x[(b * 3 + ch) * S * S + i] = c[i * 3 + ch];
    });
    const got = (await session.run({ input: new ort.Tensor('float32', x, [n, 3, S, S]) })).descriptor;
    expect(Array.from(got.dims)).toEqual([n, 128]);
    const diff = maxAbsDiff(want, got.data as Float32Array);
    console.log(`facerec parity (batch ${n}): max |TF.js − ONNX| ${diff}`);
    expect(diff).toBeLessThan(1e-4);
    // and no two of the four descriptors are alike (how well they tell people apart is the evaluation's job)
    for (let a = 0; a < n; a++)
      for (let b = a + 1; b < n; b++) {
        let d = 0;
        for (let i = 0; i < 128; i++) d += (want[a * 128 + i] - want[b * 128 + i]) ** 2;
        expect(Math.sqrt(d)).toBeGreaterThan(0.1);
      }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
