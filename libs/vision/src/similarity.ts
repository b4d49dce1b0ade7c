// Comparing face descriptors.

/** Cosine similarity of two descriptors (-1..1; 1 for the same direction). Works on unnormalised input too. */
export function similarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`descriptor lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * Similarity at or above which two faces are taken to be the same person (chosen from the
 * distributions measured in test/recognition.spec.ts; see docs/vision.md).
 */
export const DEFAULT_MATCH_THRESHOLD = 0.72;

export interface Match<T> {
  item: T;
  similarity: number;
}

/** The gallery entries whose best descriptor reaches `threshold`, best first. */
export function matchDescriptor<T>(
  descriptor: ArrayLike<number>,
  gallery: readonly { item: T; descriptors: readonly ArrayLike<number>[] }[],
  threshold = DEFAULT_MATCH_THRESHOLD,
): Match<T>[] {
  const out: Match<T>[] = [];
  for (const g of gallery) {
    let best = -1;
    for (const d of g.descriptors) best = Math.max(best, similarity(descriptor, d));
    if (best >= threshold) out.push({ item: g.item, similarity: best });
  }
  return out.sort((x, y) => y.similarity - x.similarity);
}
