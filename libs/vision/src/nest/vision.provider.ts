import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Vision } from '../vision.js';
import { FACERES_PRECISIONS, OPTIMIZATION_LEVELS, type FaceresPrecision, type OptimizationLevel } from '../models.js';
import { BaseEnv, ReadinessRegistry, toInt } from '@airport-mesh/platform';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** The environment of a service that runs the vision models (image-analysis, face-recognition). */
export class VisionEnv extends BaseEnv {
  /** Folder with blazeface.onnx and faceres.onnx (default: the repo's tools/model-build/dist/models). */
  @IsOptional()
  @IsString()
  MODELS_DIR?: string;

  /** onnxruntime intra-op threads per model. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  VISION_THREADS = 1;

  /**
   * onnxruntime's graph optimisation when a session is created. 'all' (default) also rewrites the
   * convolutions into the CPU's blocked layout: faster inference, slower session creation
   * (docs/performance.md, Start-up). 'extended' or lower starts faster.
   */
  @IsIn(OPTIMIZATION_LEVELS)
  VISION_OPTIMIZATION: OptimizationLevel = 'all';

  /**
   * FaceRes with int8 convolutions (default; equal results on the evaluation set, 2.5× faster) or
   * the fp32 graph. Every service that compares descriptors must run the same one (docs/vision.md).
   */
  @IsIn(FACERES_PRECISIONS)
  VISION_FACERES: FaceresPrecision = 'int8';

  /** Images with more pixels are refused (413) before decoding. */
  @Transform(toInt)
  @IsInt()
  @Min(64 * 64)
  @Max(100_000_000)
  MAX_IMAGE_PIXELS = 25_000_000;
}

/** The process's one Vision instance; readiness waits until its ONNX sessions are loaded. */
@Injectable()
export class VisionProvider implements OnModuleInit {
  readonly vision: Vision;

  constructor(
    config: ConfigService<VisionEnv, true>,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.vision = new Vision({
      modelsDir: config.get('MODELS_DIR', { infer: true }),
      threads: config.get('VISION_THREADS', { infer: true }),
      optimization: config.get('VISION_OPTIMIZATION', { infer: true }),
      faceres: config.get('VISION_FACERES', { infer: true }),
      maxPixels: config.get('MAX_IMAGE_PIXELS', { infer: true }),
    });
  }

  onModuleInit(): void {
    this.readiness.register('models', () => {
      if (!this.vision.isReady) throw new Error('models loading');
      return { modelsDir: this.vision.modelsDir };
    });
    void this.vision.ready().catch(() => undefined); // failures stay visible through readiness
  }
}
