import { HttpException } from '@nestjs/common';
import { problem } from './problem.js';

/**
 * The image formats the services take: JPEG and PNG, recognised by their bytes (never by a content
 * type). Anything else (WebP, GIF, TIFF, SVG, HEIF, AVIF…) is refused before any decoder sees it, and
 * the header's width × height is bounded, so what a decoder would allocate is bounded too.
 */
export const IMAGE_FORMATS = ['jpeg', 'png'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** At most this many pixels (≤ 160 MB as RGBA) reach a decoder; services may set a lower limit. */
export const IMAGE_MAX_PIXELS = 40_000_000;

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** A refused image: `status` is 415 (format not allowed), 422 (truncated or corrupt header), 413 (too many pixels) or 400 (empty). */
export class ImageFormatError extends Error {
  constructor(
    readonly status: 400 | 413 | 415 | 422,
    message: string,
  ) {
    super(message);
  }

  toHttp(prefix = ''): HttpException {
    return new HttpException(
      problem(this.status, `${prefix}${this.message}`, { type: 'urn:airport-mesh:image' }),
      this.status,
    );
  }
}

const PNG_SIGNATURE = Buffer.from('89504e470d0a1a0a', 'hex');

function sniff(data: Uint8Array): ImageFormat | string {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'jpeg';
  if (data.length >= 8 && Buffer.from(data.subarray(0, 8)).equals(PNG_SIGNATURE)) return 'png';
  const head = Buffer.from(data.subarray(0, 16));
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'WebP';
  if (head.subarray(0, 3).toString('latin1') === 'GIF') return 'GIF';
  if (
    head.subarray(0, 4).equals(Buffer.from('49492a00', 'hex')) ||
    head.subarray(0, 4).equals(Buffer.from('4d4d002a', 'hex'))
  )
    return 'TIFF';
  if (head.subarray(4, 8).toString('latin1') === 'ftyp') return 'HEIF/AVIF';
  if (/^\s*<(\?xml|svg)/i.test(head.toString('latin1'))) return 'SVG';
  return 'unknown';
}

/** Width and height from a JPEG's SOF marker, without decoding. */
function jpegSize(data: Uint8Array): { width: number; height: number } {
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let i = 2;
  while (i + 4 <= view.length) {
    if (view[i] !== 0xff) throw new ImageFormatError(422, `image is not a valid JPEG (no marker at byte ${i})`);
    const marker = view[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    const length = view.readUInt16BE(i + 2);
    if (length < 2) throw new ImageFormatError(422, 'image is not a valid JPEG (bad segment length)');
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 9 > view.length) break;
      const height = view.readUInt16BE(i + 5);
      const width = view.readUInt16BE(i + 7);
      if (!width || !height) throw new ImageFormatError(422, 'image is a JPEG without dimensions');
      return { width, height };
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data before any frame header
    i += 2 + length;
  }
  throw new ImageFormatError(422, 'image is a truncated JPEG (no frame header)');
}

/**
 * The format and size of an allowed image, read from its header only. Throws ImageFormatError:
 * 415 for a format that is not allowed, 422 for a broken header, 413 beyond `maxPixels`.
 */
export function imageHeader(data: Uint8Array, maxPixels = IMAGE_MAX_PIXELS): ImageHeader {
  if (!data.length) throw new ImageFormatError(400, 'empty image: the input has 0 bytes');
  const format = sniff(data);
  if (format !== 'jpeg' && format !== 'png')
    throw new ImageFormatError(
      415,
      `not a supported image format (${format === 'unknown' ? 'not an image' : format}); allowed: JPEG, PNG`,
    );
  let size: { width: number; height: number };
  if (format === 'png') {
    const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (view.length < 24 || view.subarray(12, 16).toString('latin1') !== 'IHDR')
      throw new ImageFormatError(422, 'image is a truncated PNG (no IHDR header)');
    size = { width: view.readUInt32BE(16), height: view.readUInt32BE(20) };
    if (!size.width || !size.height) throw new ImageFormatError(422, 'image is a PNG without dimensions');
  } else {
    size = jpegSize(data);
  }
  if (size.width * size.height > maxPixels)
    throw new ImageFormatError(
      413,
      `image too large: ${size.width}×${size.height} = ${size.width * size.height} pixels, the limit is ${maxPixels}`,
    );
  return { format, ...size };
}

/**
 * A JPEG as a camera sends it: allowed header, and complete (SOI … EOI; a truncated upload loses its
 * end). Returns null, or what is wrong. Decoding the body is the analysers' job.
 */
export function jpegProblem(data: Uint8Array): string | null {
  if (data.length < 125) return 'image is too small to be a JPEG';
  try {
    if (imageHeader(data).format !== 'jpeg') return 'image is not a JPEG (no SOI marker)';
  } catch (error) {
    if (!(error instanceof ImageFormatError)) throw error;
    return error.status === 415 ? 'image is not a JPEG (no SOI marker)' : error.message;
  }
  let end = data.length;
  while (end > 2 && data[end - 1] === 0x00) end -= 1; // some encoders pad with zeros
  if (data[end - 2] !== 0xff || data[end - 1] !== 0xd9) return 'image is a truncated JPEG (no EOI marker)';
  return null;
}
