import { Module } from '@nestjs/common';
import { CamerasModule } from './cameras/cameras.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { HealthAllModule } from './health-all/health-all.module.js';
import { LiveModule } from './live/live.module.js';
import { UpstreamModule } from './upstream/upstream.module.js';

@Module({ imports: [UpstreamModule, LiveModule, CamerasModule, HealthAllModule, DashboardModule] })
export class AppModule {}
