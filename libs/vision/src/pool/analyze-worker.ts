// One worker thread of the analyser pool (piscina): its own Vision with its own ONNX sessions,
// created once when the worker starts, then decode → detect → describe per task. Typed vision errors
// cannot cross the thread boundary as classes, so they come back as data and the pool rebuilds them.
import sharp from 'sharp';
import { VisionError } from '../errors.js';
import { Vision, type AnalyzeResult } from '../vision.js';
import type { WorkerOptions, WorkerReply, WorkerTask } from './protocol.js';

async function init(): Promise<(task: WorkerTask) => Promise<WorkerReply>> {
  const { workerData } = await import('node:worker_threads');
  const options = workerData as WorkerOptions;
  // libvips runs inside each analysis: one thread per worker keeps workers from fighting for cores
  sharp.concurrency(options.vipsThreads);
  const vision = new Vision({
    modelsDir: options.modelsDir,
    threads: options.threads,
    optimization: options.optimization,
    faceres: options.faceres,
    maxPixels: options.maxPixels,
  });
  await vision.ready();
  return async (task: WorkerTask): Promise<WorkerReply> => {
    if (task.kind === 'warm') return { kind: 'warm' };
    const startedAt = performance.timeOrigin + performance.now();
    try {
      const result: AnalyzeResult = await vision.analyze(task.image);
      return { kind: 'result', result, startedAt };
    } catch (error) {
      if (error instanceof VisionError)
        return { kind: 'error', code: error.code, httpStatus: error.httpStatus, message: error.message, startedAt };
      throw error;
    }
  };
}

// piscina accepts a promise of the handler: the models load before the worker takes its first task
export default init();
