import { Module } from '@nestjs/common';
import { VisionProvider } from '@airport-mesh/vision/nest';
import { AnalysisController } from './analysis.controller.js';
import { AnalysisService } from './analysis.service.js';

@Module({ controllers: [AnalysisController], providers: [VisionProvider, AnalysisService] })
export class AnalysisModule {}
