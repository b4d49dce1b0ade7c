import { SeededRandom, standardNormal } from './prng.js';

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('is uniform enough: mean ½, 30% below 0.3, normal draws with mean 0 and sd 1', () => {
    const r = new SeededRandom(7);
    const n = 100_000;
    const xs = Array.from({ length: n }, () => r.next());
    expect(xs.reduce((s, x) => s + x, 0) / n).toBeCloseTo(0.5, 2);
    expect(xs.filter((x) => x < 0.3).length / n).toBeCloseTo(0.3, 2);
    const zs = Array.from({ length: n / 2 }, (_, i) => standardNormal(xs[2 * i], xs[2 * i + 1]));
    const mean = zs.reduce((s, z) => s + z, 0) / zs.length;
    const sd = Math.sqrt(zs.reduce((s, z) => s + (z - mean) ** 2, 0) / zs.length);
    expect(mean).toBeCloseTo(0, 1);
    expect(sd).toBeCloseTo(1, 1);
  });
});
