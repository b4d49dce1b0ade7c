import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { startTestService, type TestService } from '@airport-mesh/platform/testing';
import { imageAnalysisService } from '../src/service.js';

const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const sample = (n: number) => readFileSync(join(demo, `sample${n}.jpg`));

interface Analysis {
  personCount: number;
  faces: {
    box: { x: number; y: number; width: number; height: number };
    gender: string;
    age: number;
    ageRange: string;
    score: number;
  }[];
}

describe('image-analysis over HTTP with real ONNX inference', () => {
  let svc: TestService;
  const analyze = (body: BodyInit, type = 'image/jpeg') =>
    fetch(`${svc.url}/analyze`, { method: 'POST', headers: { 'content-type': type }, body });

  beforeAll(async () => {
    svc = await startTestService(imageAnalysisService, {});
    for (let i = 0; i < 100 && (await fetch(`${svc.url}/health/ready`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => svc?.close());

  it('is ready once the models are loaded, and prints its status line', async () => {
    expect((await (await fetch(`${svc.url}/health/ready`)).json()).info.models.status).toBe('up');
    expect(await (await fetch(`${svc.url}/status`)).text()).toBe('Image Analysis v1 : Online');
  });

  it('counts the people in a sample photo, with gender and an age range per face', async () => {
    const res = await analyze(sample(5));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Analysis;
    expect(body.personCount).toBe(5); // ground truth: libs/vision/test/fixtures/ground-truth.json
    for (const face of body.faces) {
      expect(['male', 'female']).toContain(face.gender);
      expect(face.age).toBeGreaterThan(10);
      expect(face.age).toBeLessThan(70);
      expect(face.ageRange).toMatch(/^\d+-\d+$/);
      expect(face.box.width).toBeGreaterThan(20);
    }
  });

  it('accepts the same image as JSON base64, with the same answer', async () => {
    const raw = (await (await analyze(sample(3))).json()) as Analysis;
    const json = (await (
      await analyze(JSON.stringify({ image: sample(3).toString('base64') }), 'application/json')
    ).json()) as Analysis;
    expect(json.personCount).toBe(3);
    expect(json.faces).toEqual(raw.faces);
  });

  it("returns each face's descriptor on request: 1024 float32, L2-normalised", async () => {
    const plain = (await (await analyze(sample(1))).json()) as Analysis & { faces: { descriptor?: string }[] };
    expect(plain.faces[0].descriptor).toBeUndefined();
    const res = await fetch(`${svc.url}/analyze?descriptors=true`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: sample(1) as unknown as BodyInit,
    });
    const body = (await res.json()) as { faces: { descriptor: string }[] };
    const bytes = new Uint8Array(Buffer.from(body.faces[0].descriptor, 'base64'));
    const d = new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
    expect(d.length).toBe(1024);
    expect(Math.hypot(...d)).toBeCloseTo(1, 4);
    const bad = await fetch(`${svc.url}/analyze?descriptors=maybe`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: sample(1) as unknown as BodyInit,
    });
    expect(bad.status).toBe(400);
  });

  it('finds nobody in a frame without people', async () => {
    const landscape = await sharp({
      create: { width: 1280, height: 720, channels: 3, background: { r: 90, g: 140, b: 200 } },
    })
      .composite([
        {
          input: Buffer.from(
            '<svg width="1280" height="720"><rect y="420" width="1280" height="300" fill="#3a6b35"/><circle cx="1000" cy="150" r="70" fill="#f5d76e"/></svg>',
          ),
          top: 0,
          left: 0,
        },
      ])
      .jpeg()
      .toBuffer();
    expect(((await (await analyze(landscape)).json()) as Analysis).personCount).toBe(0);
  });

  const bigPng = () =>
    sharp({ create: { width: 10_000, height: 5_000, channels: 3, background: '#808080' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
  it.each([
    [
      'not an image',
      async () => Buffer.from('this is plain text, not a picture'),
      'image/jpeg',
      415,
      /not a supported image/,
    ],
    [
      'a GIF',
      () => sharp(sample(1)).resize(64).gif().toBuffer(),
      'image/jpeg',
      415,
      /not a supported image format \(GIF\)/,
    ],
    [
      'an SVG',
      async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="90000" height="90000"/>'),
      'application/octet-stream',
      415,
      /not a supported image format \(SVG\)/,
    ],
    ['a truncated JPEG', async () => sample(2).subarray(0, 30_000), 'image/jpeg', 422, /truncated or corrupt image/],
    ['an empty body', async () => Buffer.alloc(0), 'image/jpeg', 400, /empty image/],
    ['a 50-megapixel image', bigPng, 'image/png', 413, /image too large: 10000×5000/],
    ['a wrong content type', async () => Buffer.from('a,b,c'), 'text/csv', 415, /Unsupported Media Type/],
    ['invalid JSON', async () => Buffer.from('{"image":'), 'application/json', 400, /not valid JSON/],
    [
      'JSON with an unknown field',
      async () => Buffer.from(JSON.stringify({ image: 'AAAA', colour: 1 })),
      'application/json',
      400,
      /property colour should not exist/,
    ],
    [
      'JSON whose image is not base64',
      async () => Buffer.from(JSON.stringify({ image: '%%%' })),
      'application/json',
      400,
      /image must be base64/,
    ],
    ['a body over the limit', async () => Buffer.alloc(9 * 1024 * 1024, 1), 'image/jpeg', 413, /too large/],
  ])('answers %s with a problem body and keeps serving', async (_name, make, type, status, detail) => {
    const res = await analyze((await make()) as unknown as BodyInit, type);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await res.json()) as { status: number; title: string; detail: string };
    expect(`${problem.title}: ${problem.detail}`).toMatch(detail);
    expect(((await (await analyze(sample(1))).json()) as Analysis).personCount).toBe(3);
  });
});
