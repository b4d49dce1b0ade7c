import { Module } from '@nestjs/common';
import { CamerasModule } from '../cameras/cameras.module.js';
import { DashboardEventsModule } from '../dashboard-events/dashboard-events.module.js';
import { HealthAllController } from './health-all.controller.js';
import { HealthAllService } from './health-all.service.js';

@Module({
  imports: [CamerasModule, DashboardEventsModule],
  controllers: [HealthAllController],
  providers: [HealthAllService],
  exports: [HealthAllService],
})
export class HealthAllModule {}
