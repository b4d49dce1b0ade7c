import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { startTestService, type TestService, testOperatorHeaders } from '@airport-mesh/platform/testing';
import { faceRecognitionService } from '../src/service.js';

const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const sample = (n: number) => readFileSync(join(demo, `sample${n}.jpg`));

interface Person {
  id: string;
  name: string;
  descriptors: number;
  thumbnailUrl: string;
}
interface Recognition {
  faces: number;
  matches: { personId: string; name: string; similarity: number }[];
  threshold: number;
}

/** One face of sample6 ("6c", third from left, ground truth centre 1277,432), cropped generously. */
const faceCrop = () => sharp(sample(6)).extract({ left: 1080, top: 230, width: 400, height: 420 }).jpeg().toBuffer();

describe('face-recognition over HTTP with real inference and a real SQLite watch list', () => {
  let dir: string;
  let svc: TestService;
  const json = (path: string, body: unknown) =>
    fetch(`${svc.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...testOperatorHeaders },
      body: JSON.stringify(body),
    });
  const recognize = async (image: Buffer) =>
    (await (
      await fetch(`${svc.url}/recognize`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg' },
        body: image as unknown as BodyInit,
      })
    ).json()) as Recognition;
  const persons = async () => (await (await fetch(`${svc.url}/persons`)).json()) as Person[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'face-recognition-'));
    svc = await startTestService(faceRecognitionService, { DB_PATH: join(dir, 'watchlist.db') });
    for (let i = 0; i < 200 && (await fetch(`${svc.url}/health/ready`)).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(async () => {
    await svc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds the demo watch list and recognises its persons in the sample photos', async () => {
    expect((await persons()).map((p) => p.name)).toEqual(['PersonX', 'PersonY']);
    expect((await recognize(sample(1))).matches.map((m) => m.name)).toEqual(['PersonX']);
    expect((await recognize(sample(4))).matches.map((m) => m.name)).toEqual(['PersonY']);
    for (const n of [2, 3, 5, 6]) expect((await recognize(sample(n))).matches).toEqual([]);
  });

  it('recognises an enrolled person in altered views of the photo, and nobody else', async () => {
    const crop = await faceCrop();
    const res = await json('/persons', { name: 'Test Person', images: [crop.toString('base64')] });
    expect(res.status).toBe(201);
    const person = (await res.json()) as Person;
    expect(person).toMatchObject({ name: 'Test Person', descriptors: 1 });

    const views = {
      full: sample(6),
      flipped: await sharp(sample(6)).flop().jpeg().toBuffer(),
      half: await sharp(sample(6)).resize({ width: 960 }).jpeg().toBuffer(),
      recompressed: await sharp(sample(6)).jpeg({ quality: 25 }).toBuffer(),
      brighter: await sharp(sample(6)).modulate({ brightness: 1.35 }).jpeg().toBuffer(),
      recropped: await sharp(sample(6)).extract({ left: 900, top: 100, width: 900, height: 800 }).jpeg().toBuffer(),
    };
    for (const [view, image] of Object.entries(views)) {
      const { matches } = await recognize(image);
      expect({ view, names: matches.map((m) => m.name) }).toEqual({ view, names: ['Test Person'] });
    }
    const thumb = await fetch(`${svc.url}${person.thumbnailUrl}`, { headers: testOperatorHeaders });
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBe(112);

    expect(
      (await fetch(`${svc.url}/persons/${person.id}`, { method: 'DELETE', headers: testOperatorHeaders })).status,
    ).toBe(204);
    expect((await recognize(sample(6))).matches).toEqual([]);
    expect((await fetch(`${svc.url}/persons/${person.id}`)).status).toBe(404);
  });

  it.each([
    [
      'a photo with no face',
      async () => ({
        name: 'Nobody',
        images: [
          (
            await sharp({ create: { width: 400, height: 300, channels: 3, background: '#4a7' } })
              .jpeg()
              .toBuffer()
          ).toString('base64'),
        ],
      }),
      422,
      /image 1: no face found/,
    ],
    [
      'a photo with several faces',
      async () => ({ name: 'Group', images: [sample(3).toString('base64')] }),
      422,
      /image 1: 3 faces found/,
    ],
    [
      'a truncated photo',
      async () => ({ name: 'Cut', images: [sample(3).subarray(0, 20_000).toString('base64')] }),
      422,
      /image 1: truncated or corrupt image/,
    ],
    ['no photos', async () => ({ name: 'Empty', images: [] }), 400, /images must contain at least 1 elements/],
    ['a missing name', async () => ({ images: ['AAAA'] }), 400, /name must be/],
    ['an unknown field', async () => ({ name: 'X', images: ['AAAA'], age: 3 }), 400, /property age should not exist/],
    [
      'images that are not base64',
      async () => ({ name: 'X', images: ['***'] }),
      400,
      /each value in images must be base64/,
    ],
  ])('refuses to enrol %s with a problem body, storing nothing', async (_name, make, status, detail) => {
    const before = (await persons()).length;
    const res = await json('/persons', await make());
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
    expect((await persons()).length).toBe(before);
  });

  it('enrols from an EXIF-rotated photo (orientation 6) and crops the upright face', async () => {
    // Upright: the face at the bottom of a tall picture. Stored: the pixels turned a quarter, with the
    // EXIF tag that turns them back, so stored and upright width and height differ.
    const upright = await sharp(await faceCrop())
      .extend({ top: 800, background: '#808080' })
      .jpeg()
      .toBuffer();
    const stored = await sharp(upright).rotate(270).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const meta = await sharp(stored).metadata();
    expect(meta.orientation).toBe(6);
    expect(meta.width).toBeGreaterThan(meta.height!);
    const before = (await persons()).length;
    const res = await json('/persons', { name: 'Rotated R', images: [stored.toString('base64')] });
    expect(res.status).toBe(201);
    const person = (await res.json()) as Person;
    const thumbnail = await fetch(`${svc.url}${person.thumbnailUrl}`, { headers: testOperatorHeaders });
    expect(thumbnail.status).toBe(200);
    const thumb = await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata();
    expect([thumb.width, thumb.height]).toEqual([112, 112]);
    expect((await recognize(upright)).matches.map((m) => m.name)).toContain('Rotated R');
    expect(
      (await fetch(`${svc.url}/persons/${person.id}`, { method: 'DELETE', headers: testOperatorHeaders })).status,
    ).toBe(204);
    expect((await persons()).length).toBe(before);
  });

  it.each([
    ['a GIF', () => sharp(sample(1)).resize(64).gif().toBuffer(), 415, /not a supported image format \(GIF\)/],
    ['a WebP', () => sharp(sample(1)).resize(64).webp().toBuffer(), 415, /not a supported image format \(WebP\)/],
    ['a TIFF', () => sharp(sample(1)).resize(64).tiff().toBuffer(), 415, /not a supported image format \(TIFF\)/],
    [
      'an SVG',
      async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9000" height="9000"></svg>'),
      415,
      /not a supported image format \(SVG\)/,
    ],
    [
      'a PNG header claiming 100000×100000 pixels',
      async () =>
        Buffer.concat([
          Buffer.from('89504e470d0a1a0a0000000d49484452000186a0000186a00806000000', 'hex'),
          Buffer.alloc(64),
        ]),
      413,
      /image too large: 100000×100000/,
    ],
  ])('refuses to enrol from %s with a problem body, storing nothing', async (_name, make, status, detail) => {
    const before = (await persons()).length;
    const res = await json('/persons', { name: 'Nobody N', images: [(await make()).toString('base64')] });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(detail);
    expect((await persons()).length).toBe(before);
    const raw = await fetch(`${svc.url}/recognize`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: (await make()) as unknown as BodyInit,
    });
    expect(raw.status).toBe(status);
  });

  it('matches descriptors computed elsewhere without running the model again', async () => {
    const [x] = await persons();
    // PersonX's own photo, described the way image-analysis describes it, must match PersonX.
    const res = await fetch(`${svc.url}/recognize`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: sample(1) as unknown as BodyInit,
    });
    expect(res.status).toBe(200);
    const zero = Buffer.alloc(4096).toString('base64');
    const unknown = await json('/match', { faces: [{ box: { x: 1, y: 2, width: 30, height: 30 }, descriptor: zero }] });
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toMatchObject({ faces: 1, matches: [] });
    expect(x.name).toBe('PersonX');
    for (const [body, detail] of [
      [
        { faces: [{ box: { x: 1, y: 2, width: 3, height: 4 }, descriptor: 'AAAA' }] },
        /descriptor must be base64 of 1024 float32/,
      ],
      [{ faces: [{ box: { x: -1, y: 2, width: 3, height: 4 }, descriptor: zero }] }, /x must not be less than 0/],
      [{ faces: 'all' }, /faces must be an array/],
    ] as const) {
      const bad = await json('/match', body);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { detail: string }).detail).toMatch(detail);
    }
  });

  it('answers bad recognition input and bad ids with problem bodies', async () => {
    const notImage = await fetch(`${svc.url}/recognize`, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: 'nope',
    });
    expect(notImage.status).toBe(415);
    const badId = await fetch(`${svc.url}/persons/not-a-uuid`);
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { detail: string }).detail).toMatch(/uuid is expected/);
    const missing = await fetch(`${svc.url}/persons/00000000-0000-4000-8000-000000000000`, {
      method: 'DELETE',
      headers: testOperatorHeaders,
    });
    expect(missing.status).toBe(404);
    expect((await recognize(sample(1))).matches.map((m) => m.name)).toEqual(['PersonX']);
  });
});
