import { Module } from '@nestjs/common';
import { FrameAnalyzer, NoFrameAnalyzer } from './frame-analyzer.js';
import { FramesController } from './frames.controller.js';
import { FramesService } from './frames.service.js';
import { SectionGateway } from './section.gateway.js';

@Module({
  controllers: [FramesController],
  providers: [FramesService, SectionGateway, { provide: FrameAnalyzer, useClass: NoFrameAnalyzer }],
})
export class FramesModule {}
