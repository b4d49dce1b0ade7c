// Finding the ONNX files and creating the onnxruntime sessions: once per process and per
// configuration, lazily, shared by every Vision instance.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { ModelsUnavailableError } from './errors.js';

export const MODEL_FILES = {
  detector: 'blazeface.onnx',
  faceres: 'faceres.onnx',
  /** FaceRes with int8 convolutions, written by `nx run model-build:build` after it checked the results against fp32. */
  faceresInt8: 'faceres-int8.onnx',
  facemesh: 'facemesh.onnx',
} as const;

/** FaceRes precisions: 'int8' (the default, docs/performance.md "int8 FaceRes") or the converted fp32 graph. */
export const FACERES_PRECISIONS = ['int8', 'fp32'] as const;
export type FaceresPrecision = (typeof FACERES_PRECISIONS)[number];
const REPO_MODELS = join('tools', 'model-build', 'dist', 'models');

/**
 * `MODELS_DIR` if set; else `tools/model-build/dist/models` of the repository this code runs from
 * (searched upwards from this module, then from the working directory).
 */
export function defaultModelsDir(): string {
  if (process.env.MODELS_DIR) return resolve(process.env.MODELS_DIR);
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = start;
    for (;;) {
      const candidate = join(dir, REPO_MODELS);
      if (existsSync(join(candidate, MODEL_FILES.detector))) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new ModelsUnavailableError(
    `no ${REPO_MODELS}/${MODEL_FILES.detector} above ${process.cwd()}; build it with \`nx run model-build:build\` or set MODELS_DIR`,
  );
}

/** onnxruntime's graph optimisation levels, least to most. */
export const OPTIMIZATION_LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type OptimizationLevel = (typeof OPTIMIZATION_LEVELS)[number];

export interface SessionConfig {
  modelsDir: string;
  /** Intra-op threads per session (1 = one core per inference). */
  threads: number;
  optimization: OptimizationLevel;
  /** Which FaceRes graph to load. */
  faceres: FaceresPrecision;
}

export interface Sessions {
  detector: ort.InferenceSession;
  faceres: ort.InferenceSession;
  /** The second stage: FaceMesh's face flag confirms each detector box. */
  facemesh: ort.InferenceSession;
}

const cache = new Map<string, Promise<Sessions>>();

async function create(cfg: SessionConfig): Promise<Sessions> {
  const opts: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: cfg.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: cfg.optimization,
    enableCpuMemArena: true,
    logSeverityLevel: 3,
    // Worker threads that wait for work sleep instead of spinning: a spinning pool burns a core
    // the other services of this machine need (measured with nx run local-stack:bench).
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
  const open = async (file: string) => {
    const path = join(cfg.modelsDir, file);
    if (!existsSync(path))
      throw new ModelsUnavailableError(`${path} does not exist; build it with \`nx run model-build:build\``);
    try {
      return await ort.InferenceSession.create(path, opts);
    } catch (err) {
      throw new ModelsUnavailableError(`${path}: ${err instanceof Error ? err.message : String(err)}`, err);
    }
  };
  const [detector, faceres, facemesh] = await Promise.all([
    open(MODEL_FILES.detector),
    open(cfg.faceres === 'int8' ? MODEL_FILES.faceresInt8 : MODEL_FILES.faceres),
    open(MODEL_FILES.facemesh),
  ]);
  return { detector, faceres, facemesh };
}

/** The process-wide sessions for this configuration (created on first call; a failed load is retried next time). */
export function getSessions(cfg: SessionConfig): Promise<Sessions> {
  const key = `${cfg.modelsDir}|${cfg.threads}|${cfg.optimization}|${cfg.faceres}`;
  let p = cache.get(key);
  if (!p) {
    p = create(cfg);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

export { ort };
