import { Module } from '@nestjs/common';
import { FrameSource } from '../frames/frame-source.js';
import { StreamController } from './stream.controller.js';
import { StreamService } from './stream.service.js';

@Module({ controllers: [StreamController], providers: [FrameSource, StreamService] })
export class StreamModule {}
