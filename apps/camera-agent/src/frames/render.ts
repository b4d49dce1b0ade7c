import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The photos shipped in @vladmandic/face-api (MIT): people of several ages and genders. */
export function sampleImagePaths(): string[] {
  const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
  return readdirSync(demo)
    .filter((f) => /^sample\d+\.jpg$/.test(f))
    .sort()
    .map((f) => join(demo, f));
}

export function jpegFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .map((f) => join(folder, f));
}

/**
 * Scales each image to a camera-like frame (letterboxed, EXIF rotation applied) and encodes it as
 * JPEG. sharp (libvips) is loaded here only: a camera streaming the built-in samples at the default
 * size reads frames made at build time and never loads it (docs/performance.md, "Memory").
 */
export async function renderFrames(paths: string[], width: number, height: number): Promise<Buffer[]> {
  const { default: sharp } = await import('sharp');
  // One image at a time on one libvips thread, with libvips' operation cache off: the frames are
  // made once, and decoding six photos at once on every core left ~100 MiB of peak memory behind
  // in the allocator for the life of the process.
  sharp.cache(false);
  sharp.concurrency(1);
  const frames: Buffer[] = [];
  for (const p of paths) {
    frames.push(
      await sharp(readFileSync(p))
        .rotate()
        .resize(width, height, { fit: 'contain', background: { r: 24, g: 26, b: 32 } })
        .jpeg({ quality: 85, mozjpeg: false })
        .toBuffer(),
    );
  }
  return frames;
}
