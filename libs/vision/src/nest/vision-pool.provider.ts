import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { availableParallelism } from 'node:os';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Gauge } from 'prom-client';
import { MetricsService, ReadinessRegistry, toInt } from '@airport-mesh/platform';
import { AnalyzerPool, type ShedReason } from '../pool/analyzer-pool.js';
import { VisionEnv } from './vision.provider.js';

/** The environment of a service that analyses images in a worker pool (image-analysis). */
export class VisionPoolEnv extends VisionEnv {
  /** Worker threads, each with its own ONNX sessions. Default: the available parallelism (cores given to the process). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  ANALYSIS_WORKERS?: number;

  /** Requests that may wait for a free worker; beyond that, 503 with Retry-After. Default 4 × workers. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  ANALYSIS_QUEUE?: number;

  /** A request that has waited this long for a worker is dropped before it starts (503). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600_000)
  ANALYSIS_MAX_WAIT_MS = 1000;

  /** Nice increment of the worker threads: probes and refusals on the main thread win the CPU over inference. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(19)
  ANALYSIS_WORKER_NICE = 0;
}

/**
 * The process's analyser pool: readiness waits until every worker has loaded its models; queue depth,
 * busy workers, wait time and shed requests are in /metrics.
 */
@Injectable()
export class VisionPoolProvider implements OnModuleInit, OnModuleDestroy {
  readonly pool: AnalyzerPool;

  constructor(
    config: ConfigService<VisionPoolEnv, true>,
    private readonly readiness: ReadinessRegistry,
    metrics: MetricsService,
  ) {
    const wait = metrics.histogram(
      'image_analysis_queue_wait_seconds',
      'Time a request waited for a free analyser worker',
      [],
      [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    );
    const shed = metrics.counter<'reason'>(
      'image_analysis_shed_total',
      'Requests not analysed: queue_full (503 at once), deadline (waited too long), caller_gone (socket closed)',
      ['reason'],
    );
    for (const reason of ['queue_full', 'deadline', 'caller_gone'] as ShedReason[]) shed.inc({ reason }, 0);
    const workers = config.get('ANALYSIS_WORKERS', { infer: true }) ?? availableParallelism();
    this.pool = new AnalyzerPool({
      workers,
      maxQueue: config.get('ANALYSIS_QUEUE', { infer: true }) ?? 4 * workers,
      maxWaitMs: config.get('ANALYSIS_MAX_WAIT_MS', { infer: true }),
      niceIncrement: config.get('ANALYSIS_WORKER_NICE', { infer: true }),
      modelsDir: config.get('MODELS_DIR', { infer: true }),
      threads: config.get('VISION_THREADS', { infer: true }),
      optimization: config.get('VISION_OPTIMIZATION', { infer: true }),
      faceres: config.get('VISION_FACERES', { infer: true }),
      maxPixels: config.get('MAX_IMAGE_PIXELS', { infer: true }),
      onWait: (ms) => wait.observe(ms / 1000),
      onShed: (reason) => shed.inc({ reason }),
    });
    const pool = this.pool;
    // sampled when /metrics is scraped (prom-client calls a metric's collect() before reading it)
    const gauge = (name: string, help: string, read: () => number): void => {
      const g: Gauge = metrics.gauge(name, help);
      Object.assign(g, { collect: () => g.set(read()) });
    };
    gauge('image_analysis_queue_depth', 'Requests waiting for a free analyser worker', () => pool.queueDepth);
    gauge('image_analysis_workers_busy', 'Analyser workers running a request', () => pool.busy);
    gauge('image_analysis_workers', 'Analyser worker threads', () => pool.workers);
    gauge('image_analysis_queue_limit', 'Requests that may wait before new ones are refused', () => pool.maxQueue);
  }

  onModuleInit(): void {
    this.readiness.register('models', () => {
      if (!this.pool.isReady) {
        if (this.pool.error) throw this.pool.error;
        throw new Error('models loading');
      }
      return { modelsDir: this.pool.modelsDir, workers: this.pool.workers };
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}
