// The Nest side of the vision library: one Vision per process with readiness, the analyser worker
// pool with admission control, and error mapping.
export { VisionEnv, VisionProvider } from './vision.provider.js';
export { VisionPoolEnv, VisionPoolProvider } from './vision-pool.provider.js';
export { toHttpError } from './vision-problem.js';
