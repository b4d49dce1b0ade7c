import { isBase64 } from 'class-validator';
import fc from 'fast-check';
import { isPaddedBase64 } from './base64.js';

describe('isPaddedBase64', () => {
  it('accepts what class-validator IsBase64 accepts, and nothing else, on random strings', () => {
    // the alphabet, '=' and characters outside it, at every length mod 4
    const char = fc.constantFrom(...'AZaz09+/====-_ \n.é'.split(''));
    fc.assert(
      fc.property(fc.array(char, { maxLength: 24 }), (chars) => {
        const s = chars.join('');
        expect(isPaddedBase64(s)).toBe(isBase64(s));
      }),
      { numRuns: 20_000 },
    );
  });

  it('on the base64 of an image, whole and damaged', () => {
    const image = Buffer.from(Array.from({ length: 3001 }, (_, i) => (i * 37) % 256));
    const cases: [string, boolean][] = [];
    for (const cut of [0, 1, 2]) {
      const s = image.subarray(cut).toString('base64'); // no, one and two '=' of padding
      cases.push(
        [s, true],
        [s.slice(4), true],
        [s.slice(1), false], // length not a multiple of 4
        [`=${s.slice(1)}`, false], // '=' first
        [`${s}====`, false], // more than two '='
        [`${s.slice(0, 8)}=${s.slice(9)}`, false], // '=' in the middle
        [`${s.slice(0, 8)}-${s.slice(9)}`, false], // URL-safe alphabet
        [`${s.slice(0, 8)}\n${s.slice(9)}`, false],
      );
    }
    for (const [s, ok] of cases) expect([s.slice(-4), isPaddedBase64(s), isBase64(s)]).toEqual([s.slice(-4), ok, ok]);
  });
});
