// Run by the build (tools/scripts/in-project.sh) after the bundle: files the service reads at start.
import { buildFrames } from './frames/build-frames.js';

const count = await buildFrames();
console.log(`camera-agent: ${count} sample photos rendered as frames into dist/sample-frames`);
