// Similarity distributions: every sample face enrolled from the original photo, compared with the
// faces found in altered views of the photos (genuine = same person, impostor = anyone else).
import type { Vision } from '../src/index.js';
import { similarity } from '../src/index.js';
import { alterations, groundTruth, sample } from './helpers.js';

export interface Pair {
  enrolled: string;
  probe: string;
  view: string;
  similarity: number;
}

/** Index of the detection whose box (grown by 25 %) holds the point and whose centre is nearest. */
export function nearestFace(
  faces: { box: { x: number; y: number; width: number; height: number } }[],
  x: number,
  y: number,
  taken = new Set<number>(),
): number {
  let best = -1;
  let bestD = Infinity;
  faces.forEach((f, i) => {
    if (taken.has(i)) return;
    const gx = f.box.width * 0.25;
    const gy = f.box.height * 0.25;
    if (x < f.box.x - gx || x > f.box.x + f.box.width + gx || y < f.box.y - gy || y > f.box.y + f.box.height + gy)
      return;
    const d = Math.hypot(f.box.x + f.box.width / 2 - x, f.box.y + f.box.height / 2 - y);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

export async function similarityPairs(
  vision: Vision,
): Promise<{ genuine: Pair[]; impostor: Pair[]; unmatched: string[] }> {
  const enrolled: { id: string; descriptor: Float32Array }[] = [];
  const probes: { id: string; view: string; descriptor: Float32Array }[] = [];
  const unmatched: string[] = [];
  for (const [n, gt] of groundTruth.entries()) {
    const original = sample(n + 1);
    const r = await vision.analyze(original);
    for (const f of gt.faces) {
      const i = nearestFace(r.faces, f.center[0], f.center[1]);
      if (i < 0) unmatched.push(`${f.id} original`);
      else enrolled.push({ id: f.id, descriptor: r.faces[i].descriptor });
    }
    for (const alt of alterations) {
      const view = await vision.analyze(await alt.apply(original));
      for (const f of gt.faces) {
        const [x, y] = alt.map(f.center[0], f.center[1], gt.width, gt.height);
        const i = nearestFace(view.faces, x, y);
        if (i < 0) unmatched.push(`${f.id} ${alt.name}`);
        else probes.push({ id: f.id, view: alt.name, descriptor: view.faces[i].descriptor });
      }
    }
  }
  const genuine: Pair[] = [];
  const impostor: Pair[] = [];
  for (const e of enrolled) {
    for (const p of probes) {
      const pair = { enrolled: e.id, probe: p.id, view: p.view, similarity: similarity(e.descriptor, p.descriptor) };
      (p.id === e.id ? genuine : impostor).push(pair);
    }
    for (const o of enrolled) {
      if (o.id > e.id)
        impostor.push({
          enrolled: e.id,
          probe: o.id,
          view: 'original',
          similarity: similarity(e.descriptor, o.descriptor),
        });
    }
  }
  return { genuine, impostor, unmatched };
}

export function summary(values: number[]): {
  n: number;
  min: number;
  p5: number;
  median: number;
  p95: number;
  max: number;
} {
  const s = [...values].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
  return { n: s.length, min: s[0], p5: q(0.05), median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}
