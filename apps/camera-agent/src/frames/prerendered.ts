import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { packageRoot } from '@airport-mesh/platform';

/** Where the build puts the frames of the built-in samples at the default size. */
export const PRERENDERED_DIR = join(packageRoot(import.meta.url), 'dist', 'sample-frames');

/** What the build wrote: the frames of the built-in samples at one size, in order. */
export interface PrerenderedManifest {
  width: number;
  height: number;
  sources: string[];
  files: string[];
}

const MANIFEST = 'manifest.json';

/** Writes `frames` (made from `sources`) into `dir` with a manifest; replaces what was there. */
export function writePrerendered(dir: string, width: number, height: number, sources: string[], frames: Buffer[]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = frames.map((frame, i) => {
    const file = `frame-${String(i + 1).padStart(2, '0')}.jpg`;
    writeFileSync(join(dir, file), frame);
    return file;
  });
  const manifest: PrerenderedManifest = { width, height, sources: sources.map((s) => basename(s)), files };
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * The frames in `dir` when they were made from the same sources at the same size, else null (no
 * folder, another size, other photos): the caller then renders them itself.
 */
export function readPrerendered(dir: string, width: number, height: number, sources: string[]): Buffer[] | null {
  if (!existsSync(join(dir, MANIFEST))) return null;
  const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as PrerenderedManifest;
  const names = sources.map((s) => basename(s));
  if (manifest.width !== width || manifest.height !== height) return null;
  if (manifest.sources.length !== names.length || manifest.sources.some((s, i) => s !== names[i])) return null;
  return manifest.files.map((f) => readFileSync(join(dir, f)));
}
