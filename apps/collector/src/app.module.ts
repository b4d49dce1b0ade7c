import { Module } from '@nestjs/common';
import { FramesModule } from './frames/frames.module.js';

@Module({ imports: [FramesModule] })
export class AppModule {}
