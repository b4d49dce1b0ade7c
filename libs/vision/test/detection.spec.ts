// Real inference on real photos: face counts against the hand-made ground truth, no faces on
// non-person images, plausible gender and age.
import { Vision, type AnalyzeResult } from '../src/index.js';
import { groundTruth, negatives, sample } from './helpers.js';
import { nearestFace } from './recognition-data.js';

let vision: Vision;
const results = new Map<string, AnalyzeResult>();

beforeAll(async () => {
  vision = await Vision.load();
  for (const [n, gt] of groundTruth.entries()) results.set(gt.file, await vision.analyze(sample(n + 1)));
}, 120_000);

describe('face detection on the sample photos', () => {
  test.each(groundTruth.map((g) => [g.file, g] as const))(
    '%s: every ground-truth face found once, nothing else',
    (_file, gt) => {
      const r = results.get(gt.file)!;
      expect([r.width, r.height]).toEqual([gt.width, gt.height]);
      const taken = new Set<number>();
      const missed: string[] = [];
      for (const f of gt.faces) {
        const i = nearestFace(r.faces, f.center[0], f.center[1], taken);
        if (i < 0) missed.push(f.id);
        else taken.add(i);
      }
      expect(missed).toEqual([]);
      expect(r.faces.length).toBe(gt.faces.length); // no false positives
    },
  );

  test('per-face table (printed for docs/vision.md)', () => {
    const rows: string[] = [];
    for (const gt of groundTruth) {
      const r = results.get(gt.file)!;
      const taken = new Set<number>();
      for (const f of gt.faces) {
        const i = nearestFace(r.faces, f.center[0], f.center[1], taken);
        taken.add(i);
        const d = r.faces[i];
        rows.push(
          `| ${f.id} | ${gt.file} | ${Math.round(d.box.x)},${Math.round(d.box.y)} ${Math.round(d.box.width)}×${Math.round(d.box.height)} | ${d.score.toFixed(2)} | ${d.gender} | ${d.genderScore.toFixed(2)} | ${d.age.toFixed(1)} | ${d.ageRange} |`,
        );
      }
    }
    console.log(['| id | image | box x,y w×h | score | gender | genderScore | age | ageRange |', ...rows].join('\n'));
    expect(rows).toHaveLength(22);
  });

  test('total count error over the 6 photos is 0 of 22', () => {
    const detected = groundTruth.reduce((s, g) => s + results.get(g.file)!.faces.length, 0);
    const expected = groundTruth.reduce((s, g) => s + g.faces.length, 0);
    expect(expected).toBe(22);
    expect(detected).toBe(expected);
  });

  test('boxes, scores and landmarks are sane', () => {
    for (const r of results.values()) {
      for (const f of r.faces) {
        expect(f.score).toBeGreaterThanOrEqual(0.5);
        expect(f.score).toBeLessThanOrEqual(1);
        expect(f.box.width).toBeGreaterThan(100); // faces are 150–250 px wide in these photos
        expect(f.box.x + f.box.width).toBeLessThanOrEqual(r.width);
        expect(f.landmarks).toHaveLength(6);
      }
    }
  });
});

describe('frames without a person', () => {
  test('give zero faces', async () => {
    const found: Record<string, number> = {};
    for (const n of await negatives()) found[n.name] = (await vision.detect(n.image)).faces.length;
    expect(Object.values(found).every((c) => c === 0)).toBe(true);
    expect(Object.keys(found).length).toBeGreaterThanOrEqual(7);
    // margins around minScore 0.5: best non-face candidate on these images vs the weakest real face
    const loose = new Vision({ minScore: 0.05 });
    let bestNonFace = 0;
    for (const n of await negatives())
      for (const f of (await loose.detect(n.image)).faces) bestNonFace = Math.max(bestNonFace, f.score);
    const weakestFace = Math.min(...[...results.values()].flatMap((r) => r.faces.map((f) => f.score)));
    console.log(
      `score margin: best non-face candidate ${bestNonFace.toFixed(3)} < minScore 0.5 < weakest sample face ${weakestFace.toFixed(3)}`,
    );
    expect(bestNonFace).toBeLessThan(0.5);
  }, 60_000);
});

describe('attributes', () => {
  test('all 22 (adult women) are female, aged 16–50, with an age range around the age', () => {
    for (const r of results.values()) {
      for (const f of r.faces) {
        expect(f.gender).toBe('female');
        expect(f.genderScore).toBeGreaterThan(0.5);
        expect(f.age).toBeGreaterThanOrEqual(16);
        expect(f.age).toBeLessThanOrEqual(50);
        const m = /^(\d+)-(\d+)$/.exec(f.ageRange);
        expect(m).not.toBeNull();
        expect(Number(m![1])).toBeLessThanOrEqual(Math.ceil(f.age));
        expect(Number(m![2])).toBeGreaterThanOrEqual(Math.floor(f.age));
      }
    }
  });

  test('descriptors are 1024-d and L2-normalised', () => {
    for (const r of results.values()) {
      for (const f of r.faces) {
        expect(f.descriptor).toHaveLength(1024);
        const norm = Math.sqrt(f.descriptor.reduce((s, v) => s + v * v, 0));
        expect(norm).toBeCloseTo(1, 5);
      }
    }
  });

  test('detect + describe (given boxes) agree with analyze, in one batch', async () => {
    const img = sample(5);
    const d = await vision.detect(img);
    const attrs = await vision.describe(img, d.faces);
    const a = results.get('sample5.jpg')!;
    expect(attrs).toHaveLength(a.faces.length);
    attrs.forEach((x, i) => {
      expect(x.age).toBeCloseTo(a.faces[i].age, 3);
      expect(x.gender).toBe(a.faces[i].gender);
    });
  }, 30_000);
});
