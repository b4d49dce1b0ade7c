import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageRoot } from '@airport-mesh/platform';
import type { Box, Vision } from '@airport-mesh/vision';

/** The demo's persons of interest: one face from each of two sample photos the cameras stream. */
export const DEFAULT_WATCHLIST = [
  { name: 'PersonX', sample: 'sample1.jpg' },
  { name: 'PersonY', sample: 'sample4.jpg' },
] as const;

/** One person of the default watch list as the models see them: descriptor and thumbnail. */
export interface SeedPerson {
  name: string;
  sample: string;
  descriptor: Float32Array;
  thumbnail: Buffer;
}

/**
 * Where the build writes the default watch list (tools/scripts/in-project.sh runs dist/build-assets.js):
 * a service with an empty store seeds from it instead of running the models on the photos at start.
 */
export const SEED_FILE = join(packageRoot(import.meta.url), 'dist', 'watchlist-seed.json');

function samplePhoto(sample: string): Buffer {
  const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
  return readFileSync(join(demo, sample));
}

/**
 * A square crop around a face box, grown by `margin` of its size on each side. The box is in the
 * upright image (EXIF orientation applied, as the models saw it), so the bounds are the upright ones.
 */
export async function faceThumbnail(image: Buffer, box: Box, margin: number, size?: number): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const meta = (await sharp(image).metadata()).autoOrient;
  const side = Math.max(box.width, box.height) * (1 + 2 * margin);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const left = Math.max(0, Math.round(cx - side / 2));
  const top = Math.max(0, Math.round(cy - side / 2));
  const width = Math.min(Math.round(side), (meta.width ?? 0) - left);
  const height = Math.min(Math.round(side), (meta.height ?? 0) - top);
  const pipeline = sharp(image).rotate().extract({ left, top, width, height });
  return (size ? pipeline.resize(size, size, { fit: 'cover' }) : pipeline).jpeg({ quality: 88 }).toBuffer();
}

/** Runs the models on the sample photos: the largest face of each, with a 112 px thumbnail. */
export async function computeSeed(vision: Vision): Promise<SeedPerson[]> {
  const persons: SeedPerson[] = [];
  for (const { name, sample } of DEFAULT_WATCHLIST) {
    const photo = samplePhoto(sample);
    const { faces } = await vision.analyze(photo);
    const face = faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
    if (!face) throw new Error(`no face in ${sample}`);
    persons.push({
      name,
      sample,
      descriptor: face.descriptor,
      thumbnail: await faceThumbnail(photo, face.box, 0.15, 112),
    });
  }
  return persons;
}

/** The models a seed was made with: the sha256 of each ONNX file, from the model build's manifest. */
function modelHashes(modelsDir: string): Record<string, string> | null {
  const file = join(modelsDir, 'manifest.json');
  if (!existsSync(file)) return null;
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { models: Record<string, { sha256: string }> };
  return Object.fromEntries(Object.entries(manifest.models).map(([k, m]) => [k, m.sha256]));
}

interface SeedFile {
  models: Record<string, string>;
  persons: { name: string; sample: string; descriptor: number[]; thumbnail: string }[];
}

export function writeSeed(file: string, modelsDir: string, persons: SeedPerson[]): void {
  const models = modelHashes(modelsDir);
  if (!models) throw new Error(`no manifest.json in ${modelsDir}: cannot tell which models made the seed`);
  const body: SeedFile = {
    models,
    persons: persons.map((p) => ({
      name: p.name,
      sample: p.sample,
      descriptor: Array.from(p.descriptor),
      thumbnail: p.thumbnail.toString('base64'),
    })),
  };
  writeFileSync(file, JSON.stringify(body) + '\n');
}

/**
 * The seed the build made, if it was made with the very models in `modelsDir` and for the same
 * persons; else null (the caller runs the models itself).
 */
export function readSeed(file: string, modelsDir: string): SeedPerson[] | null {
  if (!existsSync(file)) return null;
  const seed = JSON.parse(readFileSync(file, 'utf8')) as SeedFile;
  const models = modelHashes(modelsDir);
  if (!models || JSON.stringify(models) !== JSON.stringify(seed.models)) return null;
  const wanted = DEFAULT_WATCHLIST.map((p) => `${p.name}:${p.sample}`);
  if (JSON.stringify(seed.persons.map((p) => `${p.name}:${p.sample}`)) !== JSON.stringify(wanted)) return null;
  return seed.persons.map((p) => ({
    name: p.name,
    sample: p.sample,
    descriptor: Float32Array.from(p.descriptor),
    thumbnail: Buffer.from(p.thumbnail, 'base64'),
  }));
}
