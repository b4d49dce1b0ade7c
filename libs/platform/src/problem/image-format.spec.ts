import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { IMAGE_MAX_PIXELS, ImageFormatError, imageHeader, jpegProblem } from './image-format.js';

const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const sample = readFileSync(join(demo, 'sample3.jpg'));

const refusal = (data: Uint8Array, maxPixels?: number) => {
  try {
    imageHeader(data, maxPixels);
  } catch (error) {
    if (error instanceof ImageFormatError) return { status: error.status, message: error.message };
    throw error;
  }
  return null;
};

describe('imageHeader', () => {
  it('reads JPEG and PNG sizes from the header', async () => {
    const meta = await sharp(sample).metadata();
    expect(imageHeader(sample)).toEqual({ format: 'jpeg', width: meta.width, height: meta.height });
    const png = await sharp(sample).resize(33, 20, { fit: 'fill' }).png().toBuffer();
    expect(imageHeader(png)).toEqual({ format: 'png', width: 33, height: 20 });
  });

  it.each([
    ['WebP', () => sharp(sample).resize(16).webp().toBuffer()],
    ['GIF', () => sharp(sample).resize(16).gif().toBuffer()],
    ['TIFF', () => sharp(sample).resize(16).tiff().toBuffer()],
    ['SVG', async () => Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['not an image', async () => Buffer.from('plain text, not a picture')],
  ])('refuses %s with 415', async (name, make) => {
    expect(refusal(await make())).toEqual({ status: 415, message: expect.stringContaining(`(${name})`) });
  });

  it('bounds the pixels before any decoder runs (413), and names broken headers (422) and empty input (400)', () => {
    const huge = Buffer.concat([
      Buffer.from('89504e470d0a1a0a0000000d49484452000186a0000186a0', 'hex'),
      Buffer.alloc(8),
    ]);
    expect(refusal(huge)).toMatchObject({ status: 413, message: expect.stringMatching(/100000×100000/) });
    expect(refusal(sample, 100)).toMatchObject({ status: 413 });
    expect(IMAGE_MAX_PIXELS).toBe(40_000_000);
    expect(refusal(sample.subarray(0, 20))).toMatchObject({
      status: 422,
      message: expect.stringMatching(/truncated JPEG/),
    });
    expect(refusal(Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01, 0x02]))).toMatchObject({ status: 422 });
    expect(refusal(Buffer.alloc(0))).toMatchObject({ status: 400 });
  });
});

describe('jpegProblem', () => {
  it('accepts a real JPEG, also with zero padding after EOI', () => {
    expect(jpegProblem(sample)).toBeNull();
    expect(jpegProblem(Buffer.concat([sample, Buffer.alloc(16)]))).toBeNull();
  });

  it('names what is wrong', () => {
    expect(jpegProblem(Buffer.alloc(10))).toMatch(/too small/);
    expect(jpegProblem(Buffer.alloc(500, 1))).toMatch(/no SOI marker/);
    expect(jpegProblem(sample.subarray(0, 4000))).toMatch(/truncated/);
  });
});
