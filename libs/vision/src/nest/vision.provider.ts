import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Vision } from '../vision.js';
import { ReadinessRegistry } from '@airport-mesh/platform';

/** Settings both image services read. */
export interface VisionEnv {
  MODELS_DIR?: string;
  VISION_THREADS: number;
  MAX_IMAGE_PIXELS: number;
}

/** The process's one Vision instance; readiness waits until its ONNX sessions are loaded. */
@Injectable()
export class VisionProvider implements OnModuleInit {
  readonly vision: Vision;

  constructor(config: ConfigService<VisionEnv, true>, private readonly readiness: ReadinessRegistry) {
    this.vision = new Vision({
      modelsDir: config.get('MODELS_DIR', { infer: true }),
      threads: config.get('VISION_THREADS', { infer: true }),
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
