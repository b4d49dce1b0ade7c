import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ServiceClients } from '@airport-mesh/platform';
import type { CollectorEnv } from '../collector.env.js';
import { AlertsAdapter } from './alerts.adapter.js';
import { CpanelAdapter } from './cpanel.adapter.js';
import { FrameAnalyzer, NoFrameAnalyzer } from './frame-analyzer.js';
import { FramesController } from './frames.controller.js';
import { FramesService } from './frames.service.js';
import { RemoteFrameAnalyzer } from './remote-frame-analyzer.js';
import { SectionAdapter } from './section.adapter.js';

@Module({
  controllers: [FramesController],
  providers: [
    FramesService,
    SectionAdapter,
    AlertsAdapter,
    CpanelAdapter,
    {
      provide: FrameAnalyzer,
      inject: [ConfigService, ServiceClients],
      useFactory: (config: ConfigService<CollectorEnv, true>, clients: ServiceClients) => {
        const imageAnalysis = config.get('IMAGE_ANALYSIS_URL', { infer: true });
        const faceRecognition = config.get('FACE_RECOGNITION_URL', { infer: true });
        return imageAnalysis || faceRecognition
          ? new RemoteFrameAnalyzer(clients, { imageAnalysis, faceRecognition })
          : new NoFrameAnalyzer();
      },
    },
  ],
})
export class FramesModule {}
