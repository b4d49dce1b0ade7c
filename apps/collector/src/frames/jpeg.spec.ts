import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { jpegProblem } from './jpeg.js';

const sample = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo/sample3.jpg'),
);

describe('jpegProblem', () => {
  it('accepts a real JPEG, also with zero padding after EOI', () => {
    expect(jpegProblem(sample)).toBeNull();
    expect(jpegProblem(Buffer.concat([sample, Buffer.alloc(16)]))).toBeNull();
  });

  it('names what is wrong', () => {
    expect(jpegProblem(Buffer.alloc(10))).toMatch(/too small/);
    expect(jpegProblem(Buffer.alloc(500, 1))).toMatch(/no SOI marker/);
    expect(jpegProblem(sample.subarray(0, 4000))).toMatch(/truncated/);
  });
});
