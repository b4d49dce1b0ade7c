/**
 * Cheap structural check of a JPEG before any work is spent on it: it must start with the SOI marker
 * and end with EOI (a truncated upload loses the end). Decoding is the analysers' job.
 */
export function jpegProblem(data: Buffer): string | null {
  if (data.length < 125) return 'image is too small to be a JPEG';
  if (data[0] !== 0xff || data[1] !== 0xd8 || data[2] !== 0xff) return 'image is not a JPEG (no SOI marker)';
  let end = data.length;
  while (end > 2 && data[end - 1] === 0x00) end -= 1; // some encoders pad with zeros
  if (data[end - 2] !== 0xff || data[end - 1] !== 0xd9) return 'image is a truncated JPEG (no EOI marker)';
  return null;
}
