export class NotAJpegError extends Error {}

/**
 * Width and height of a baseline or progressive JPEG, read from its SOF marker without decoding it.
 * Throws NotAJpegError for anything that is not a JPEG, or one cut off before its frame header.
 */
export function jpegSize(data: Buffer): { width: number; height: number } {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8)
    throw new NotAJpegError('image is not a JPEG (no SOI marker)');
  let i = 2;
  while (i + 4 <= data.length) {
    if (data[i] !== 0xff) throw new NotAJpegError(`image is not a valid JPEG (no marker at byte ${i})`);
    const marker = data[i + 1];
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    const length = data.readUInt16BE(i + 2);
    if (length < 2) throw new NotAJpegError('image is not a valid JPEG (bad segment length)');
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 9 > data.length) break;
      const height = data.readUInt16BE(i + 5);
      const width = data.readUInt16BE(i + 7);
      if (!width || !height) throw new NotAJpegError('image is a JPEG without dimensions');
      return { width, height };
    }
    if (marker === 0xd9 || marker === 0xda) break; // end of image, or scan data before any frame header
    i += 2 + length;
  }
  throw new NotAJpegError('image is a truncated JPEG (no frame header)');
}
