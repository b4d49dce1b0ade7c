import { Module } from '@nestjs/common';
import { DashboardEventsModule } from '../dashboard-events/dashboard-events.module.js';
import { AlertController } from './alert.controller.js';
import { AnalysisController } from './analysis.controller.js';
import { LiveService } from './live.service.js';

@Module({
  controllers: [AnalysisController, AlertController],
  imports: [DashboardEventsModule],
  providers: [LiveService],
  exports: [LiveService],
})
export class LiveModule {}
