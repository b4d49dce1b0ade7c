const OUTSIDE_ALPHABET = /[^A-Za-z0-9+/=]/;

/**
 * What class-validator's `IsBase64()` accepts (validator.js `isBase64` with its defaults): the empty
 * string, or a length that is a multiple of 4, the standard alphabet, and at most two `=` at the end.
 * validator.js tests that with the anchored `^[A-Za-z0-9+/]+={0,2}$`, which in a CPU profile of the
 * collector under load came right after garbage collection and socket writes (4 % of its samples,
 * docs/performance.md, round 11); here it is one search for a character outside the alphabet, then the
 * padding. `base64.spec.ts` checks that both accept the same strings.
 */
export function isPaddedBase64(s: string): boolean {
  if (s === '') return true;
  if (s.length % 4 !== 0 || OUTSIDE_ALPHABET.test(s)) return false;
  const pad = s.indexOf('=');
  const last = s.length - 1;
  return pad === -1 || (pad > 0 && (pad === last || (pad === last - 1 && s[last] === '=')));
}
