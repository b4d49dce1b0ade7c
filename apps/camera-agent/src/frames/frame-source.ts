import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ReadinessRegistry } from '@airport-mesh/platform';
import type { CameraEnv } from '../camera.env.js';
import { jpegFiles, renderFrames, sampleImagePaths } from './render.js';
import { PRERENDERED_DIR, readPrerendered } from './prerendered.js';

/**
 * The camera's picture: source images scaled once to a camera-like frame size and encoded as JPEG
 * (at build time for the built-in samples at the default size, else at start), then served in a cycle.
 */
@Injectable()
export class FrameSource implements OnModuleInit {
  private readonly logger = new Logger(FrameSource.name);
  private frames: Buffer[] = [];
  private loading?: Promise<void>;

  constructor(
    private readonly config: ConfigService<CameraEnv, true>,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('frames', () => {
      if (!this.frames.length) throw new Error('frames not loaded yet');
      return { frames: this.frames.length };
    });
    this.loading = this.load();
  }

  private async load(): Promise<void> {
    const folder = this.config.get('FRAME_SOURCE', { infer: true });
    const paths = folder ? jpegFiles(folder) : sampleImagePaths();
    if (!paths.length) throw new Error(`no JPEG files in ${folder}`);
    const width = this.config.get('FRAME_WIDTH', { infer: true });
    const height = this.config.get('FRAME_HEIGHT', { infer: true });
    // The built-in samples at the default size were rendered by the build; anything else is rendered now.
    const made = folder ? null : readPrerendered(PRERENDERED_DIR, width, height, paths);
    const frames = made ?? (await renderFrames(paths, width, height));
    this.frames = frames;
    this.logger.log(
      `${this.frames.length} frames of ${width}x${height} from ${folder ?? 'the built-in samples'}` +
        (made ? ' (rendered at build time)' : ''),
    );
  }

  async ready(): Promise<void> {
    await this.loading;
  }

  get size(): number {
    return this.frames.length;
  }

  frame(index: number): Buffer {
    return this.frames[index % this.frames.length];
  }
}
