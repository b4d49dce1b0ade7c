import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { ReadinessRegistry } from '@airport-mesh/platform';
import type { CameraEnv } from '../camera.env.js';

/** The photos shipped in @vladmandic/face-api (MIT): people of several ages and genders. */
export function sampleImagePaths(): string[] {
  const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
  return readdirSync(demo)
    .filter((f) => /^sample\d+\.jpg$/.test(f))
    .sort()
    .map((f) => join(demo, f));
}

function jpegFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .map((f) => join(folder, f));
}

/**
 * The camera's picture: source images scaled once, at start, to a camera-like frame size and encoded
 * as JPEG, then served in a cycle.
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
    // One image at a time on one libvips thread, with libvips' operation cache off: the frames are
    // made once, and decoding six photos at once on every core left ~100 MiB of peak memory behind
    // in the allocator for the life of the process (docs/performance.md, "Memory").
    sharp.cache(false);
    sharp.concurrency(1);
    const frames: Buffer[] = [];
    for (const p of paths) {
      frames.push(
        await sharp(readFileSync(p))
          .rotate()
          .resize(width, height, { fit: 'contain', background: { r: 24, g: 26, b: 32 } })
          .jpeg({ quality: 85, mozjpeg: false })
          .toBuffer(),
      );
    }
    this.frames = frames;
    this.logger.log(`${this.frames.length} frames of ${width}x${height} from ${folder ?? 'the built-in samples'}`);
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
