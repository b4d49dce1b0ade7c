// Decoding and inference off the calling thread: a piscina pool of worker threads (one Vision,
// i.e. one pair of ONNX sessions, per worker) behind an admission queue of our own.
//
// The pool never holds more tasks than it has workers; everything else waits in a bounded FIFO
// here, where it can still be dropped cheaply: a full queue refuses at once (QUEUE_FULL), and when
// a worker frees up, work whose caller has gone (socket closed) or whose deadline has passed is
// dropped before it starts. The calling thread only queues, dispatches and answers, so it stays
// free for health probes and metrics while every worker is busy.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { VisionError, type VisionErrorCode } from '../errors.js';
import { DEFAULT_MAX_PIXELS } from '../image.js';
import { defaultModelsDir, type FaceresPrecision, type OptimizationLevel } from '../models.js';
import type { AnalyzeResult } from '../vision.js';
import type { WorkerOptions, WorkerReply, WorkerTask } from './protocol.js';

export interface AnalyzerPoolOptions {
  /** Worker threads. Default: the available parallelism (the cores this process is given). */
  workers?: number;
  /** Requests that may wait for a worker; more are refused at once. Default 4 × workers. */
  maxQueue?: number;
  /** A request that has waited this long is dropped before it starts (its caller has given up). Default 1000 ms. */
  maxWaitMs?: number;
  /**
   * Added to the workers' nice value (Linux: per thread), so that the thread that answers probes,
   * metrics and refusals wins the CPU over inference. Default 0: on a machine shared with other
   * processes, niced workers yield the CPU to every one of them.
   */
  niceIncrement?: number;
  /** Folder with the ONNX files. Default: as Vision. */
  modelsDir?: string;
  /** onnxruntime intra-op threads per session in each worker. Default 1. */
  threads?: number;
  /** onnxruntime graph optimisation of each worker's sessions. Default 'all'. */
  optimization?: OptimizationLevel;
  /** FaceRes precision of each worker's sessions. Default: as Vision (env VISION_FACERES, else int8). */
  faceres?: FaceresPrecision;
  maxPixels?: number;
  /** Observers, for metrics. */
  onWait?: (ms: number) => void;
  onShed?: (reason: ShedReason) => void;
}

export type ShedReason = 'queue_full' | 'deadline' | 'caller_gone';

/** The request was not run: the queue is full, it waited past its deadline, or its caller left. */
export class AdmissionError extends Error {
  readonly httpStatus = 503;
  constructor(
    readonly reason: ShedReason,
    message: string,
    /** Seconds after which a retry has a fair chance (for Retry-After). */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'AdmissionError';
  }
}

/** A vision error that happened in a worker, with the same code, status and message. */
class RemoteVisionError extends VisionError {
  constructor(code: VisionErrorCode, httpStatus: number, message: string) {
    super(code, httpStatus, message);
  }
}

export interface AnalyzeOptions {
  /** Absolute time (ms since the epoch) after which the work is not worth starting. */
  deadline?: number;
  /** True once nobody waits for the answer (e.g. the request's socket has closed). */
  isGone?: () => boolean;
}

export interface PooledResult extends AnalyzeResult {
  /** Time the request waited for a worker (admission queue and hand-over). */
  waitMs: number;
}

interface Job {
  image: Uint8Array;
  enqueuedAt: number;
  deadline: number;
  isGone?: () => boolean;
  resolve: (r: PooledResult) => void;
  reject: (e: unknown) => void;
}

/**
 * The compiled worker: next to this module when it runs from libs/vision/dist, else (this module
 * bundled into an app's chunk, or run from TypeScript sources by the tests) the package's own
 * `@airport-mesh/vision/worker` export.
 */
function workerFile(): string {
  const here = fileURLToPath(new URL('./analyze-worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const exported = createRequire(import.meta.url).resolve('@airport-mesh/vision/worker');
  if (existsSync(exported)) return exported;
  throw new Error(`no compiled analyser worker at ${here} or ${exported}; build libs/vision (nx run vision:build)`);
}

export class AnalyzerPool {
  readonly workers: number;
  readonly maxQueue: number;
  readonly maxWaitMs: number;
  readonly modelsDir: string;
  private readonly pool: Piscina<WorkerTask, WorkerReply>;
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private readonly warm: Promise<void>;
  private loaded = false;
  private loadError?: unknown;
  /** Moving average of a task's run time in a worker, for Retry-After. */
  private serviceMs = 100;
  private closed = false;

  constructor(private readonly options: AnalyzerPoolOptions = {}) {
    this.workers = Math.max(1, options.workers ?? availableParallelism());
    this.maxQueue = Math.max(0, options.maxQueue ?? 4 * this.workers);
    this.maxWaitMs = options.maxWaitMs ?? 1000;
    this.modelsDir = options.modelsDir ?? defaultModelsDir();
    const workerData: WorkerOptions = {
      modelsDir: this.modelsDir,
      threads: options.threads ?? 1,
      optimization: options.optimization ?? 'all',
      faceres: options.faceres,
      maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
      vipsThreads: 1,
    };
    this.pool = new Piscina<WorkerTask, WorkerReply>({
      filename: workerFile(),
      minThreads: this.workers,
      maxThreads: this.workers,
      idleTimeout: 2 ** 31 - 1, // workers (and their sessions) live as long as the pool
      maxQueue: this.workers, // never used: at most `workers` tasks are handed over
      concurrentTasksPerWorker: 1,
      atomics: 'disabled', // a worker's task awaits sharp and onnxruntime callbacks on its own event loop
      niceIncrement: options.niceIncrement ?? 0,
      workerData,
    });
    // every worker loads its models before its first task; one warm task per worker waits for that
    this.warm = Promise.all(Array.from({ length: this.workers }, () => this.pool.run({ kind: 'warm' }))).then(
      () => {
        this.loaded = true;
      },
      (err: unknown) => {
        this.loadError = err;
        throw err;
      },
    );
    this.warm.catch(() => undefined);
  }

  /** Resolves once every worker has its ONNX sessions. */
  ready(): Promise<void> {
    return this.warm;
  }

  get isReady(): boolean {
    return this.loaded;
  }

  get error(): unknown {
    return this.loadError;
  }

  /** Requests waiting for a worker. */
  get queueDepth(): number {
    return this.queue.length;
  }

  /** Requests being analysed right now. */
  get busy(): number {
    return this.inFlight;
  }

  private retryAfter(): number {
    return Math.max(1, Math.ceil(((this.queue.length + 1) * this.serviceMs) / this.workers / 1000));
  }

  /** Decode, detect and describe in a worker; rejects with AdmissionError when the work is shed. */
  analyze(image: Uint8Array, options: AnalyzeOptions = {}): Promise<PooledResult> {
    if (this.closed) return Promise.reject(new AdmissionError('queue_full', 'the analyser is shutting down', 1));
    if (this.queue.length >= this.maxQueue && this.inFlight >= this.workers) {
      this.options.onShed?.('queue_full');
      return Promise.reject(
        new AdmissionError(
          'queue_full',
          `all ${this.workers} analysers are busy and ${this.queue.length} requests are waiting; retry later`,
          this.retryAfter(),
        ),
      );
    }
    const now = Date.now();
    return new Promise<PooledResult>((resolve, reject) => {
      this.queue.push({
        image,
        enqueuedAt: now,
        deadline: Math.min(options.deadline ?? Infinity, now + this.maxWaitMs),
        isGone: options.isGone,
        resolve,
        reject,
      });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.inFlight < this.workers && this.queue.length) {
      const job = this.queue.shift()!;
      const now = Date.now();
      if (job.isGone?.()) {
        this.options.onShed?.('caller_gone');
        job.reject(new AdmissionError('caller_gone', 'the caller has gone; the image was not analysed', 1));
        continue;
      }
      if (now > job.deadline) {
        this.options.onShed?.('deadline');
        job.reject(
          new AdmissionError(
            'deadline',
            `waited ${now - job.enqueuedAt} ms for an analyser, past the deadline; not analysed`,
            this.retryAfter(),
          ),
        );
        continue;
      }
      const waitMs = now - job.enqueuedAt;
      this.options.onWait?.(waitMs);
      this.inFlight++;
      this.pool
        .run({ kind: 'analyze', image: job.image })
        .then(
          (reply) => {
            if (reply.kind === 'result') {
              this.serviceMs = 0.8 * this.serviceMs + 0.2 * (Date.now() - reply.startedAt);
              job.resolve({ ...reply.result, waitMs });
            } else if (reply.kind === 'error')
              job.reject(new RemoteVisionError(reply.code, reply.httpStatus, reply.message));
            else job.reject(new Error(`unexpected worker reply ${reply.kind}`));
          },
          (err: unknown) => job.reject(err),
        )
        .finally(() => {
          this.inFlight--;
          this.dispatch();
        });
    }
  }

  /** Refuses what waits, then stops the workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      job.reject(new AdmissionError('queue_full', 'the analyser is shutting down', 1));
    await this.pool.destroy();
  }
}
