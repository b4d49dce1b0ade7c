export { runLoad, resolveOptions, DEFAULTS, LIMITS } from './run.js';
export { formatSummary } from './summary.js';
export { LoadgenError, classifyError, type LoadgenErrorCode, type ErrorKind } from './errors.js';
export { LatencyRecorder, type LatencySummary } from './histogram.js';
export { isLoopbackHost, parseTarget } from './target.js';
export { parseDuration, parseRate, formatDuration } from './units.js';
export {
  RESULT_SCHEMA,
  type LoadOptions,
  type LoadResult,
  type OverflowPolicy,
  type RequestBody,
  type RequestContext,
  type RequestParts,
  type BodyFactory,
  type RequestCounts,
  type ErrorCounts,
  type Throughput,
  type TimelineBucket,
} from './types.js';
