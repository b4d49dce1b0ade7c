import { Module } from '@nestjs/common';
import { DashboardEventsModule } from '../dashboard-events/dashboard-events.module.js';
import { LiveModule } from '../live/live.module.js';
import { CamerasController } from './cameras.controller.js';
import { CamerasService } from './cameras.service.js';

@Module({
  imports: [LiveModule, DashboardEventsModule],
  controllers: [CamerasController],
  providers: [CamerasService],
  exports: [CamerasService],
})
export class CamerasModule {}
