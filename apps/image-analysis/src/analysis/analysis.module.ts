import { Module } from '@nestjs/common';
import { VisionPoolProvider } from '@airport-mesh/vision/nest';
import { AnalysisController } from './analysis.controller.js';
import { AnalysisService } from './analysis.service.js';

@Module({ controllers: [AnalysisController], providers: [VisionPoolProvider, AnalysisService] })
export class AnalysisModule {}
