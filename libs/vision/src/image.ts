// Decoding with sharp (header check against a pixel limit first, then one full decode to RGB; an
// embedded sRGB profile is not applied, see isSrgbProfile),
// and a JS affine sampler that writes straight into the planar float tensors the models take,
// fusing crop, rotation, resize, normalisation and the HWC→CHW transpose in one pass.
import { parse as parseIcc } from 'icc';
import sharp, { type Metadata } from 'sharp';
import { EmptyInputError, ImageTooLargeError, NotAnImageError, TruncatedImageError } from './errors.js';

export interface RgbImage {
  /** Interleaved RGB, 3 bytes per pixel, row-major. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** Default pixel limit: 40 megapixels (a 50 MP upload is rejected before decoding). */
export const DEFAULT_MAX_PIXELS = 40_000_000;

function classify(err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  if (
    /unsupported image format|Input buffer contains unsupported|bad seek|Input Buffer is empty|not a known file format/i.test(
      msg,
    )
  ) {
    return new NotAnImageError(msg, err);
  }
  if (/pixel limit/i.test(msg)) return new NotAnImageError(msg, err);
  return new TruncatedImageError(msg, err);
}

/**
 * True when `profile` (an embedded ICC profile) is an sRGB profile. libvips converts every image with an
 * embedded profile through it to sRGB; from an sRGB profile that conversion changes no pixel (checked on
 * the sample photos in decode.spec.ts) yet costs more than the JPEG decode itself, so decodeImage skips
 * it. Any other profile (Display P3, Adobe RGB, …), or one that does not parse, is applied as before.
 */
export function isSrgbProfile(profile: Uint8Array | undefined): boolean {
  if (!profile?.length) return false;
  try {
    const p = parseIcc(Buffer.from(profile.buffer, profile.byteOffset, profile.byteLength));
    return p.colorSpace === 'RGB' && p.connectionSpace === 'XYZ' && /^sRGB\b/.test(p.description?.trim() ?? '');
  } catch {
    return false;
  }
}

/** Decodes an encoded image (EXIF orientation applied) to RGB; throws a typed VisionError on bad input. */
export async function decodeImage(input: Uint8Array, maxPixels = DEFAULT_MAX_PIXELS): Promise<RgbImage> {
  if (!input || input.length === 0) throw new EmptyInputError();
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new NotAnImageError(err instanceof Error ? err.message : String(err), err);
  }
  if (!meta.width || !meta.height) throw new NotAnImageError(`no dimensions in the ${meta.format ?? 'unknown'} header`);
  if (meta.width * meta.height > maxPixels) throw new ImageTooLargeError(meta.width, meta.height, maxPixels);
  try {
    const { data, info } = await sharp(input, {
      limitInputPixels: maxPixels,
      failOn: 'truncated',
      ignoreIcc: isSrgbProfile(meta.icc),
    })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new TruncatedImageError(`decoded to ${info.channels} channels`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (err) {
    if (err instanceof TruncatedImageError) throw err;
    throw classify(err);
  }
}

/**
 * Output pixel centre (u + 0.5, v + 0.5) maps to source point
 * (ax·u' + bx·v' + cx, ay·u' + by·v' + cy), where u' = u + 0.5, v' = v + 0.5, in pixel units whose
 * pixel i spans [i, i + 1).
 */
export interface Affine {
  ax: number;
  bx: number;
  cx: number;
  ay: number;
  by: number;
  cy: number;
}

/**
 * Bilinear sampling through `m` into `dst` as planar CHW float32 at `offset` (3 planes of outW·outH),
 * value = pixel · mul + add; outside the image the pixel is 0 (black). `ss` > 1 averages ss×ss
 * sub-samples per output pixel (anti-aliasing when shrinking).
 */
export function sampleAffine(
  img: RgbImage,
  dst: Float32Array,
  offset: number,
  outW: number,
  outH: number,
  m: Affine,
  mul: number,
  add: number,
  ss = 1,
): void {
  if (m.bx === 0 && m.ay === 0) return sampleAxisAligned(img, dst, offset, outW, outH, m, mul, add, ss);
  const { data, width: W, height: H } = img;
  const plane = outW * outH;
  const stride = W * 3;
  const inv = 1 / (ss * ss);
  for (let v = 0; v < outH; v++) {
    for (let u = 0; u < outW; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < ss; j++) {
        const vv = v + (j + 0.5) / ss;
        for (let i = 0; i < ss; i++) {
          const uu = u + (i + 0.5) / ss;
          const fx = m.ax * uu + m.bx * vv + m.cx - 0.5;
          const fy = m.ay * uu + m.by * vv + m.cy - 0.5;
          const x0 = Math.floor(fx);
          const y0 = Math.floor(fy);
          const wx = fx - x0;
          const wy = fy - y0;
          if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
            const p = y0 * stride + x0 * 3;
            const q = p + stride;
            const w00 = (1 - wx) * (1 - wy);
            const w01 = wx * (1 - wy);
            const w10 = (1 - wx) * wy;
            const w11 = wx * wy;
            r += data[p] * w00 + data[p + 3] * w01 + data[q] * w10 + data[q + 3] * w11;
            g += data[p + 1] * w00 + data[p + 4] * w01 + data[q + 1] * w10 + data[q + 4] * w11;
            b += data[p + 2] * w00 + data[p + 5] * w01 + data[q + 2] * w10 + data[q + 5] * w11;
          } else if (x0 >= -1 && y0 >= -1 && x0 < W && y0 < H) {
            // border: the taps that fall outside count as black
            for (let t = 0; t < 4; t++) {
              const x = x0 + (t & 1);
              const y = y0 + (t >> 1);
              if (x < 0 || y < 0 || x >= W || y >= H) continue;
              const w = (t & 1 ? wx : 1 - wx) * (t >> 1 ? wy : 1 - wy);
              const p = y * stride + x * 3;
              r += data[p] * w;
              g += data[p + 1] * w;
              b += data[p + 2] * w;
            }
          }
        }
      }
      const o = offset + v * outW + u;
      dst[o] = r * inv * mul + add;
      dst[o + plane] = g * inv * mul + add;
      dst[o + 2 * plane] = b * inv * mul + add;
    }
  }
}

/** Bilinear taps along one axis: per output index 2·ss (source index, weight); outside taps get weight 0. */
function taps(
  out: number,
  scale: number,
  shift: number,
  size: number,
  ss: number,
  elem: number,
): { idx: Int32Array; w: Float32Array } {
  const n = 2 * ss;
  const idx = new Int32Array(out * n);
  const w = new Float32Array(out * n);
  for (let o = 0; o < out; o++) {
    for (let k = 0; k < ss; k++) {
      const f = scale * (o + (k + 0.5) / ss) + shift - 0.5;
      const i0 = Math.floor(f);
      const t = f - i0;
      const base = o * n + 2 * k;
      for (let e = 0; e < 2; e++) {
        const i = i0 + e;
        const inside = i >= 0 && i < size;
        idx[base + e] = inside ? i * elem : 0;
        w[base + e] = inside ? (e ? t : 1 - t) / ss : 0;
      }
    }
  }
  return { idx, w };
}

/**
 * sampleAffine for maps without rotation: separable precomputed taps, no per-pixel floor/branches.
 * With one sample per pixel (ss 1: every crop of a frame and its letterbox) each output pixel is its
 * four bilinear taps, written straight to the three planes. With ss > 1, one output row at a time:
 * each of its source rows (weight wy) is added into a row accumulator, so the inner loop is a straight
 * run over the row's x taps.
 */
function sampleAxisAligned(
  img: RgbImage,
  dst: Float32Array,
  offset: number,
  outW: number,
  outH: number,
  m: Affine,
  mul: number,
  add: number,
  ss: number,
): void {
  const { data, width: W, height: H } = img;
  const plane = outW * outH;
  const n = 2 * ss;
  const cx = taps(outW, m.ax, m.cx, W, ss, 3);
  const cy = taps(outH, m.by, m.cy, H, ss, W * 3);
  const xi = cx.idx;
  const xw = cx.w;
  const yi = cy.idx;
  const yw = cy.w;
  if (n === 2) {
    // one sample per output pixel (every crop and the letterbox of a frame): its four taps at once,
    // straight into the three planes, with `mul` folded into the weights
    for (let v = 0; v < outH; v++) {
      const r0 = yi[2 * v];
      const r1 = yi[2 * v + 1];
      const wy0 = yw[2 * v] * mul;
      const wy1 = yw[2 * v + 1] * mul;
      const o0 = offset + v * outW;
      for (let u = 0, t = 0; u < outW; u++, t += 2) {
        const x0 = xi[t];
        const x1 = xi[t + 1];
        const w00 = xw[t] * wy0;
        const w01 = xw[t + 1] * wy0;
        const w10 = xw[t] * wy1;
        const w11 = xw[t + 1] * wy1;
        const p00 = r0 + x0;
        const p01 = r0 + x1;
        const p10 = r1 + x0;
        const p11 = r1 + x1;
        const o = o0 + u;
        dst[o] = data[p00] * w00 + data[p01] * w01 + data[p10] * w10 + data[p11] * w11 + add;
        dst[o + plane] = data[p00 + 1] * w00 + data[p01 + 1] * w01 + data[p10 + 1] * w10 + data[p11 + 1] * w11 + add;
        dst[o + 2 * plane] =
          data[p00 + 2] * w00 + data[p01 + 2] * w01 + data[p10 + 2] * w10 + data[p11 + 2] * w11 + add;
      }
    }
    return;
  }
  const acc = new Float32Array(outW * 3);
  for (let v = 0; v < outH; v++) {
    acc.fill(0);
    for (let ty = v * n, ey = ty + n; ty < ey; ty++) {
      const wy = yw[ty];
      if (wy === 0) continue;
      const row = yi[ty];
      for (let u = 0, a = 0; u < outW; u++, a += 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let tx = u * n, ex = tx + n; tx < ex; tx++) {
          const w = xw[tx];
          const p = row + xi[tx];
          r += data[p] * w;
          g += data[p + 1] * w;
          b += data[p + 2] * w;
        }
        acc[a] += r * wy;
        acc[a + 1] += g * wy;
        acc[a + 2] += b * wy;
      }
    }
    const o0 = offset + v * outW;
    for (let u = 0, a = 0; u < outW; u++, a += 3) {
      const o = o0 + u;
      dst[o] = acc[a] * mul + add;
      dst[o + plane] = acc[a + 1] * mul + add;
      dst[o + 2 * plane] = acc[a + 2] * mul + add;
    }
  }
}

/**
 * Copies the planar CHW image of outW×outH at `from` to `to`, each row reversed: the mirror image.
 * Sampling the mirrored affine map gives the same pixels (output column u of the mirror reads the
 * sub-samples of column outW − 1 − u), so a mirrored crop costs a copy instead of a second sampling.
 */
export function mirrorPlanar(dst: Float32Array, from: number, to: number, outW: number, outH: number): void {
  // native copy, then native in-place reverse of each row
  dst.copyWithin(to, from, from + 3 * outW * outH);
  for (let row = 0, rows = 3 * outH; row < rows; row++) dst.subarray(to + row * outW, to + (row + 1) * outW).reverse();
}

/** Shrinks with libvips (anti-aliased cubic reduction; cubic kept 2b-darker above minScore where linear, mitchell did not) to exactly width×height. */
export async function resizeRgb(img: RgbImage, width: number, height: number): Promise<RgbImage> {
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
}
