// Test inputs: the sample photos shipped by @vladmandic/face-api, non-person images, alterations.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

function findUp(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${rel} not found`);
    dir = parent;
  }
}

export const SAMPLES_DIR = findUp('node_modules/@vladmandic/face-api/demo');
export const samplePath = (i: number) => join(SAMPLES_DIR, `sample${i}.jpg`);
export const sample = (i: number) => readFileSync(samplePath(i));

export interface GroundTruthImage {
  file: string;
  width: number;
  height: number;
  faces: { id: string; center: [number, number]; note: string }[];
}

export const groundTruth: GroundTruthImage[] = (
  JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'ground-truth.json'), 'utf8')) as {
    images: GroundTruthImage[];
  }
).images;

/** A synthetic landscape: sky gradient, sun, hills, textured ground (deterministic noise). */
export async function landscape(width = 1280, height = 720): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      const hill = height * 0.55 + Math.sin(x / 90) * 40 + Math.sin(x / 23) * 8;
      const sun = Math.hypot(x - width * 0.75, y - height * 0.2) < 60;
      if (sun) data.set([255, 230, 120], o);
      else if (y < hill) {
        const t = y / hill;
        data.set([Math.round(90 + 100 * t), Math.round(150 + 70 * t), 240], o);
      } else {
        const n = rnd() * 40;
        data.set([Math.round(40 + n), Math.round(110 + n + ((y - hill) / height) * 60), Math.round(30 + n / 2)], o);
      }
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** Non-person images: a synthetic landscape, a red "SAMPLE" stamp (from @fastify/static), and face-free regions of the samples. */
export async function negatives(): Promise<{ name: string; image: Buffer }[]> {
  const crop = (i: number, left: number, top: number, width: number, height: number) =>
    sharp(sample(i)).extract({ left, top, width, height }).jpeg().toBuffer();
  return [
    { name: 'synthetic landscape 1280×720', image: await landscape() },
    {
      name: 'flat grey 640×480',
      image: await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 128, g: 128, b: 128 } } })
        .png()
        .toBuffer(),
    },
    {
      name: '@fastify/static sample.jpg (red stamp)',
      image: readFileSync(findUp('node_modules/@fastify/static/example/public/images/sample.jpg')),
    },
    { name: 'sample1 posters/wall (0,0 700×380)', image: await crop(1, 0, 0, 700, 380) },
    { name: 'sample3 doors and window (0,0 420×700)', image: await crop(3, 0, 0, 420, 700) },
    { name: 'sample6 couch and jeans (1600,850 320×500)', image: await crop(6, 1600, 850, 320, 500) },
    { name: 'sample2 sofa and legs (0,900 1920×467)', image: await crop(2, 0, 900, 1920, 467) },
  ];
}

export interface Alteration {
  name: string;
  apply: (img: Buffer) => Promise<Buffer>;
  /** maps a point of the original image into the altered one */
  map: (x: number, y: number, w: number, h: number) => [number, number];
}

/** Altered views of a photo, each with the point mapping from the original. */
export const alterations: Alteration[] = [
  { name: 'flipped', apply: (b) => sharp(b).flop().jpeg({ quality: 90 }).toBuffer(), map: (x, y, w) => [w - x, y] },
  {
    name: 'rescaled 0.5',
    apply: (b) => sharp(b).resize({ width: 960 }).jpeg({ quality: 90 }).toBuffer(),
    map: (x, y) => [x / 2, y / 2],
  },
  {
    name: 'rescaled 0.35',
    apply: (b) => sharp(b).resize({ width: 672 }).jpeg({ quality: 90 }).toBuffer(),
    map: (x, y) => [x * 0.35, y * 0.35],
  },
  { name: 'recompressed q20', apply: (b) => sharp(b).jpeg({ quality: 20 }).toBuffer(), map: (x, y) => [x, y] },
  {
    name: 'brighter ×1.4',
    apply: (b) => sharp(b).modulate({ brightness: 1.4 }).jpeg({ quality: 90 }).toBuffer(),
    map: (x, y) => [x, y],
  },
  {
    name: 'darker ×0.6',
    apply: (b) => sharp(b).modulate({ brightness: 0.6 }).jpeg({ quality: 90 }).toBuffer(),
    map: (x, y) => [x, y],
  },
  {
    name: 'cropped (150,100)',
    apply: async (b) => {
      const m = await sharp(b).metadata();
      return sharp(b)
        .extract({ left: 150, top: 100, width: m.width! - 300, height: m.height! - 200 })
        .jpeg({ quality: 90 })
        .toBuffer();
    },
    map: (x, y) => [x - 150, y - 100],
  },
];
