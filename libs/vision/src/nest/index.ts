// The Nest side of the vision library: one Vision per process with readiness, and error mapping.
export { VisionProvider, type VisionEnv } from './vision.provider.js';
export { toHttpError } from './vision-problem.js';
