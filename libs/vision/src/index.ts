export {
  Vision,
  type AnalyzeResult,
  type DetectResult,
  type Face,
  type ImageInput,
  type Timings,
  type VisionOptions,
} from './vision.js';
export type { Attributes } from './faceres.js';
export type { Box, Detection, Point } from './blazeface.js';
export type { Affine, RgbImage } from './image.js';
export { decodeImage, DEFAULT_MAX_PIXELS, sampleAffine } from './image.js';
export { similarity, matchDescriptor, DEFAULT_MATCH_THRESHOLD, type Match } from './similarity.js';
export {
  defaultModelsDir,
  FACERES_PRECISIONS,
  MODEL_FILES,
  OPTIMIZATION_LEVELS,
  type FaceresPrecision,
  type OptimizationLevel,
} from './models.js';
export { cropAndMirrorFlags, DEFAULT_MIN_FACE_CONFIDENCE, FACEMESH_SIZE, MIRROR_SKIP_FLAG } from './facemesh.js';
export { faceCropAffine } from './faceres.js';
export { DEFAULT_TILE_TRIGGER, TILE_OVERLAP, defaultTileSize } from './vision.js';
export {
  VisionError,
  EmptyInputError,
  NotAnImageError,
  TruncatedImageError,
  ImageTooLargeError,
  ModelsUnavailableError,
  type VisionErrorCode,
} from './errors.js';
export {
  AnalyzerPool,
  AdmissionError,
  type AnalyzerPoolOptions,
  type AnalyzeOptions,
  type PooledResult,
  type ShedReason,
} from './pool/analyzer-pool.js';
