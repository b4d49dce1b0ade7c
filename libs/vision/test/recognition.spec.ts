// A face enrolled from one photo is recognised in altered views (flipped, rescaled, recompressed,
// brighter/darker, cropped differently); other people are not. 22 persons × 7 views.
import { DEFAULT_MATCH_THRESHOLD, Vision } from '../src/index.js';
import { similarityPairs, summary, type Pair } from './recognition-data.js';

let genuine: Pair[];
let impostor: Pair[];
let unmatched: string[];

beforeAll(async () => {
  ({ genuine, impostor, unmatched } = await similarityPairs(await Vision.load()));
}, 240_000);

test('every face is found in every altered view', () => {
  expect(unmatched).toEqual([]);
  expect(genuine).toHaveLength(22 * 7);
});

test('the threshold separates genuine from impostor pairs', () => {
  const g = summary(genuine.map((p) => p.similarity));
  const i = summary(impostor.map((p) => p.similarity));
  const worstGenuine = genuine.reduce((a, b) => (a.similarity < b.similarity ? a : b));
  const worstImpostor = impostor.reduce((a, b) => (a.similarity > b.similarity ? a : b));
  // printed so the numbers in docs/vision.md can be checked against a run
  console.log(
    JSON.stringify({ threshold: DEFAULT_MATCH_THRESHOLD, genuine: g, impostor: i, worstGenuine, worstImpostor }),
  );
  expect(g.min).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLD);
  expect(i.max).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
});
