import { Module } from '@nestjs/common';
import { AlertController } from './alert.controller.js';
import { AnalysisController } from './analysis.controller.js';
import { DashboardEvents } from './dashboard-events.js';
import { LiveService } from './live.service.js';

@Module({
  controllers: [AnalysisController, AlertController],
  providers: [LiveService, DashboardEvents],
  exports: [LiveService, DashboardEvents],
})
export class LiveModule {}
