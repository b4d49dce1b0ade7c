// Run by the build (tools/scripts/in-project.sh) after the bundle: files the service reads at start.
import { Vision } from '@airport-mesh/vision';
import { SEED_FILE, computeSeed, writeSeed } from './watchlist/seed.js';

const vision = new Vision();
await vision.ready();
const persons = await computeSeed(vision);
writeSeed(SEED_FILE, vision.modelsDir, persons);
console.log(
  `face-recognition: default watch list (${persons.map((p) => p.name).join(', ')}) computed into dist/watchlist-seed.json`,
);
// onnxruntime's thread pool would keep the process alive.
process.exit(0);
