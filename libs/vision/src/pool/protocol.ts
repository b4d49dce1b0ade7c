// What the pool and its workers send each other.
import type { VisionErrorCode } from '../errors.js';
import type { FaceresPrecision, OptimizationLevel } from '../models.js';
import type { AnalyzeResult } from '../vision.js';

export interface WorkerOptions {
  modelsDir: string;
  /** onnxruntime intra-op threads per session in each worker. */
  threads: number;
  optimization: OptimizationLevel;
  /** Which FaceRes graph; undefined: Vision's default (env VISION_FACERES, else int8). */
  faceres?: FaceresPrecision;
  maxPixels: number;
  /** libvips threads (process-wide; the workers share one libvips). */
  vipsThreads: number;
}

export type WorkerTask = { kind: 'warm' } | { kind: 'analyze'; image: Uint8Array };

export type WorkerReply =
  | { kind: 'warm' }
  | { kind: 'result'; result: AnalyzeResult; startedAt: number }
  | { kind: 'error'; code: VisionErrorCode; httpStatus: number; message: string; startedAt: number };
