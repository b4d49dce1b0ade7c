// Runs the TF.js reference (dist/tool/reference.js, built by the `build` target) in a child process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface RefOutput {
  shape: number[];
  data: Float32Array;
}

export function runReferenceProcess(
  modelJson: string,
  input: Float32Array,
  shape: number[],
  outputs: string[],
): { ms: number; outputs: Record<string, RefOutput> } {
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-ref-'));
  const inFile = join(dir, 'input.f32');
  const outFile = join(dir, 'result.json');
  writeFileSync(inFile, Buffer.from(input.buffer, input.byteOffset, input.byteLength));
  execFileSync(
    process.execPath,
    [join(projectRoot, 'dist/tool/reference.js'), modelJson, inFile, shape.join(','), outputs.join(','), outFile],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 240_000,
    },
  );
  const res = JSON.parse(readFileSync(outFile, 'utf8')) as {
    ms: number;
    outputs: Record<string, { shape: number[]; data: string }>;
  };
  const out: Record<string, RefOutput> = {};
  for (const [k, v] of Object.entries(res.outputs)) {
    const b = Buffer.from(v.data, 'base64');
    out[k] = { shape: v.shape, data: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) };
  }
  return { ms: res.ms, outputs: out };
}

export function nhwcToNchw(x: Float32Array, n: number, h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + xx] = x[((b * h + y) * w + xx) * c + k];
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
