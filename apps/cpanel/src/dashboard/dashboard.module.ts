import { Module } from '@nestjs/common';
import { CamerasModule } from '../cameras/cameras.module.js';
import { DashboardEventsModule } from '../dashboard-events/dashboard-events.module.js';
import { HealthAllModule } from '../health-all/health-all.module.js';
import { LiveModule } from '../live/live.module.js';
import { SessionController } from '../auth/session.controller.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardService } from './dashboard.service.js';

@Module({
  imports: [DashboardEventsModule, LiveModule, CamerasModule, HealthAllModule],
  controllers: [DashboardController, SessionController],
  providers: [DashboardService],
})
export class DashboardModule {}
