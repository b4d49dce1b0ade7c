// Bad input → typed errors with a 4xx status, and the instance keeps working afterwards.
import sharp from 'sharp';
import {
  EmptyInputError,
  ImageTooLargeError,
  NotAnImageError,
  TruncatedImageError,
  Vision,
  VisionError,
} from '../src/index.js';
import { sample } from './helpers.js';

let vision: Vision;
beforeAll(async () => {
  vision = await Vision.load();
}, 60_000);

const expectVisionError = async (p: Promise<unknown>, type: new (...args: never[]) => VisionError, status: number) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  expect((err as VisionError).httpStatus).toBe(status);
  return err as VisionError;
};

test('empty input', async () => {
  const e = await expectVisionError(vision.analyze(new Uint8Array(0)), EmptyInputError, 400);
  expect(e.code).toBe('EMPTY_INPUT');
});

test('not an image: text, JSON, a PDF header, random bytes', async () => {
  const inputs = [
    Buffer.from('hello, this is not a picture'),
    Buffer.from(JSON.stringify({ image: 'abc' })),
    Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n'),
    Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)),
  ];
  for (const input of inputs) {
    const e = await expectVisionError(vision.analyze(input), NotAnImageError, 415);
    expect(e.code).toBe('NOT_AN_IMAGE');
  }
});

test('truncated JPEG and PNG', async () => {
  const jpeg = sample(1);
  await expectVisionError(vision.analyze(jpeg.subarray(0, Math.floor(jpeg.length / 2))), TruncatedImageError, 422);
  const png = await sharp(jpeg).resize(400).png().toBuffer();
  await expectVisionError(vision.analyze(png.subarray(0, Math.floor(png.length * 0.6))), TruncatedImageError, 422);
});

test('a 50-megapixel image is rejected from its header, before decoding', async () => {
  const big = await sharp({ create: { width: 8660, height: 5774, channels: 3, background: { r: 90, g: 120, b: 150 } } })
    .jpeg({ quality: 50 })
    .toBuffer();
  const t = performance.now();
  const e = (await expectVisionError(vision.analyze(big), ImageTooLargeError, 413)) as ImageTooLargeError;
  expect(performance.now() - t).toBeLessThan(500);
  expect(e.width * e.height).toBeGreaterThan(50_000_000);
}, 30_000);

test('the limit is configurable', async () => {
  const small = new Vision({ maxPixels: 1000 * 1000 });
  await expectVisionError(small.analyze(sample(1)), ImageTooLargeError, 413);
});

test('after all that, the same instance still analyses a photo', async () => {
  await expect(vision.analyze(new Uint8Array(0))).rejects.toBeInstanceOf(EmptyInputError);
  const r = await vision.analyze(sample(3));
  expect(r.faces).toHaveLength(3);
});

test('a missing models dir is a ModelsUnavailableError on ready(), not a crash', async () => {
  const v = new Vision({ modelsDir: '/nonexistent/models' });
  await expect(v.ready()).rejects.toMatchObject({ code: 'MODELS_UNAVAILABLE', httpStatus: 503 });
  expect(v.isReady).toBe(false);
});
