import sharp from 'sharp';
import { join } from 'node:path';
import { Vision } from '@airport-mesh/vision';
import { composeFrame } from './dist/tool/bench-frames.js';
import { findPackageDir } from './dist/tool/models.js';
sharp.concurrency(1);
const vision = await Vision.load({ threads: 1 });
const frame = await composeFrame(join(findPackageDir('@vladmandic/face-api'), 'demo'), 3);
const t = { dec: 0, an: 0 };
for (let i = 0; i < 300; i++) {
  const t0 = performance.now();
  const img = await vision.decode(frame);
  const t1 = performance.now();
  await vision.analyze(img);
  if (i >= 20) { t.dec += t1 - t0; t.an += performance.now() - t1; }
}
console.log('mean decode', (t.dec / 280).toFixed(2), 'analyze', (t.an / 280).toFixed(2), 'frame bytes', frame.length);
