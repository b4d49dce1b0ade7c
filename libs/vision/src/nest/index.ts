// The Nest side of the vision library: one Vision per process with readiness, and error mapping.
export { VisionEnv, VisionProvider } from './vision.provider.js';
export { toHttpError } from './vision-problem.js';
