import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { jpegSize, NotAJpegError } from './jpeg-size.js';

const sample = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo/sample1.jpg'),
);

describe('jpegSize', () => {
  it('reads the dimensions of a real JPEG', () => {
    const { width, height } = jpegSize(sample);
    expect(width).toBeGreaterThan(100);
    expect(height).toBeGreaterThan(100);
  });

  it.each([
    ['a PNG', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), /not a JPEG/],
    ['an empty buffer', Buffer.alloc(0), /not a JPEG/],
    ['a JPEG cut before its frame header', sample.subarray(0, 20), /truncated JPEG/],
    ['garbage after the SOI marker', Buffer.from([0xff, 0xd8, 0x00, 0x01, 0x02, 0x03]), /no marker/],
  ])('rejects %s', (_name, data, message) => {
    expect(() => jpegSize(data)).toThrow(NotAJpegError);
    expect(() => jpegSize(data)).toThrow(message);
  });
});
