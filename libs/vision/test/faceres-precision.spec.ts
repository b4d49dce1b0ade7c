// The services load the int8 FaceRes by default (model-build writes it only after checking it against
// fp32); VISION_FACERES=fp32 loads the fp32 graph. Both give the same people on the sample photos.
import { DEFAULT_MATCH_THRESHOLD, similarity, Vision } from '../src/index.js';
import { sample } from './helpers.js';

test('int8 is the default; VISION_FACERES picks the graph and rejects anything else', () => {
  const saved = process.env.VISION_FACERES;
  try {
    delete process.env.VISION_FACERES;
    expect(new Vision().faceres).toBe('int8');
    process.env.VISION_FACERES = 'fp32';
    expect(new Vision().faceres).toBe('fp32');
    expect(new Vision({ faceres: 'int8' }).faceres).toBe('int8');
    process.env.VISION_FACERES = 'fp16';
    expect(() => new Vision()).toThrow(/VISION_FACERES must be one of int8, fp32, not fp16/);
  } finally {
    if (saved === undefined) delete process.env.VISION_FACERES;
    else process.env.VISION_FACERES = saved;
  }
});

test('int8 and fp32 FaceRes: same faces, gender, age within 2 years, each face still matches itself', async () => {
  const int8 = await Vision.load({ faceres: 'int8' });
  const fp32 = await Vision.load({ faceres: 'fp32' });
  let faces = 0;
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const a = await fp32.analyze(sample(n));
    const b = await int8.analyze(sample(n));
    expect(b.faces.map((f) => f.box)).toEqual(a.faces.map((f) => f.box));
    for (const [i, fa] of a.faces.entries()) {
      const fb = b.faces[i];
      expect(fb.gender).toBe(fa.gender);
      expect(Math.abs(fb.age - fa.age)).toBeLessThanOrEqual(2);
      // not bit-equal: the two graphs really differ
      expect(fb.descriptor).not.toEqual(fa.descriptor);
      expect(similarity(fa.descriptor, fb.descriptor)).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLD);
      for (const [j, other] of a.faces.entries())
        if (j !== i) expect(similarity(other.descriptor, fb.descriptor)).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
      faces++;
    }
  }
  expect(faces).toBe(22);
}, 120_000);
