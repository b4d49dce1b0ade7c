// The crop sampler (sampleAffine) against a plain reference written here from its definition:
// output pixel centre (u + 0.5, v + 0.5) maps through the affine map, bilinear taps, taps outside
// the image count as black, ss × ss sub-samples averaged, then value · mul + add. The fast paths
// (axis-aligned maps, one sample per pixel) must give the same values as the definition.
import { sampleAffine, type Affine, type RgbImage } from '../src/image.js';

function reference(img: RgbImage, outW: number, outH: number, m: Affine, mul: number, add: number, ss: number) {
  const out = new Float32Array(3 * outW * outH);
  const px = (x: number, y: number, c: number) =>
    x < 0 || y < 0 || x >= img.width || y >= img.height ? 0 : img.data[(y * img.width + x) * 3 + c];
  for (let v = 0; v < outH; v++)
    for (let u = 0; u < outW; u++)
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let j = 0; j < ss; j++)
          for (let i = 0; i < ss; i++) {
            const uu = u + (i + 0.5) / ss;
            const vv = v + (j + 0.5) / ss;
            const fx = m.ax * uu + m.bx * vv + m.cx - 0.5;
            const fy = m.ay * uu + m.by * vv + m.cy - 0.5;
            const x0 = Math.floor(fx);
            const y0 = Math.floor(fy);
            const wx = fx - x0;
            const wy = fy - y0;
            sum +=
              px(x0, y0, c) * (1 - wx) * (1 - wy) +
              px(x0 + 1, y0, c) * wx * (1 - wy) +
              px(x0, y0 + 1, c) * (1 - wx) * wy +
              px(x0 + 1, y0 + 1, c) * wx * wy;
          }
        out[c * outW * outH + v * outW + u] = (sum / (ss * ss)) * mul + add;
      }
  return out;
}

const W = 61;
const H = 47;
const img: RgbImage = {
  data: new Uint8Array(W * H * 3).map((_, i) => (i * 97 + (i >> 4) * 31) % 256),
  width: W,
  height: H,
};

const cases: [string, Affine, number][] = [
  ['a crop inside the image, enlarged (ss 1)', { ax: 0.7, bx: 0, cx: 9.3, ay: 0, by: 0.55, cy: 4.1 }, 1],
  ['a crop over the right and bottom edges (ss 1)', { ax: 1.9, bx: 0, cx: 30.2, ay: 0, by: 1.7, cy: 20.6 }, 1],
  ['a crop over the left and top edges (ss 1)', { ax: 1.2, bx: 0, cx: -6.4, ay: 0, by: 1.1, cy: -3.8 }, 1],
  ['a shrinking crop (ss 2)', { ax: 2.6, bx: 0, cx: 1.3, ay: 0, by: 2.2, cy: 0.7 }, 2],
  ['a shrinking crop over an edge (ss 3)', { ax: 3.4, bx: 0, cx: 12.5, ay: 0, by: 3.1, cy: 8.2 }, 3],
  ['a turned crop (the general path)', { ax: 0.9, bx: -0.3, cx: 14.2, ay: 0.3, by: 0.9, cy: 3.3 }, 1],
];

test.each(cases)('%s: the same values as the definition', (_name, m, ss) => {
  const S = 20;
  for (const [mul, add] of [
    [1, 0],
    [1 / 127.5, -1],
  ]) {
    const got = new Float32Array(5 + 3 * S * S);
    sampleAffine(img, got, 5, S, S, m, mul, add, ss);
    const want = reference(img, S, S, m, mul, add, ss);
    let max = 0;
    for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[5 + i] - want[i]));
    expect(max).toBeLessThan(1e-3 * mul);
    // the values before `offset` are left alone
    expect(Array.from(got.subarray(0, 5))).toEqual([0, 0, 0, 0, 0]);
  }
});
