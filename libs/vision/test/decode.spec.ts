// Decoding: an embedded sRGB profile is skipped (same pixels, a fraction of the time), any other
// profile is still applied. Real JPEGs through real libvips: the sample photos (five carry the
// standard "sRGB IEC61966-2.1" profile, one none) and a photo re-encoded with Display P3.
import sharp from 'sharp';
import { decodeImage, isSrgbProfile } from '../src/image.js';
import { sample } from './helpers.js';

/** What libvips gives when it applies the embedded profile (sharp's default decode). */
const colourManaged = (jpeg: Buffer) => sharp(jpeg).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer();
const profileOf = async (jpeg: Buffer) => (await sharp(jpeg).metadata()).icc;

test('the sample photos: five sRGB profiles and one without, each decoded to the very pixels of the colour-managed decode', async () => {
  const srgb: boolean[] = [];
  for (let i = 1; i <= 6; i++) {
    const jpeg = sample(i);
    srgb.push(isSrgbProfile(await profileOf(jpeg)));
    const got = await decodeImage(jpeg);
    const want = await colourManaged(jpeg);
    expect(got.data.length).toBe(want.length);
    expect(Buffer.from(got.data).equals(want)).toBe(true);
  }
  expect(srgb).toEqual([true, true, true, true, true, false]);
}, 60_000);

test('a Display P3 photo keeps its profile: decoded as the colour-managed decode, not as the raw samples', async () => {
  const p3 = await sharp(sample(6)).resize(480).withIccProfile('p3').jpeg({ quality: 90 }).toBuffer();
  const profile = await profileOf(p3);
  expect(profile?.length).toBeGreaterThan(0);
  expect(isSrgbProfile(profile)).toBe(false);
  const got = Buffer.from((await decodeImage(p3)).data);
  expect(got.equals(await colourManaged(p3))).toBe(true);
  // the profile matters for this image: ignoring it gives other pixels
  const ignored = await sharp(p3, { ignoreIcc: true }).removeAlpha().raw().toBuffer();
  expect(got.equals(ignored)).toBe(false);
}, 30_000);

test('a profile that is not sRGB by name, or that does not parse, is not skipped', async () => {
  const srgb = (await profileOf(sample(1)))!;
  expect(isSrgbProfile(srgb)).toBe(true);
  // the same profile with its description renamed
  const renamed = Buffer.from(srgb);
  const at = renamed.indexOf('sRGB IEC61966-2.1', 128, 'latin1');
  expect(at).toBeGreaterThan(128);
  renamed.write('xRGB', at, 'latin1');
  expect(isSrgbProfile(renamed)).toBe(false);
  expect(isSrgbProfile(srgb.subarray(0, 100))).toBe(false);
  expect(isSrgbProfile(Uint8Array.from([1, 2, 3]))).toBe(false);
  expect(isSrgbProfile(undefined)).toBe(false);
});
