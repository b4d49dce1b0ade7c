import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { CamerasModule } from '../cameras/cameras.module.js';
import { LiveModule } from '../live/live.module.js';
import { HealthAllController } from './health-all.controller.js';
import { HealthAllService } from './health-all.service.js';

@Module({
  imports: [HttpModule.register({ maxRedirects: 0 }), CamerasModule, LiveModule],
  controllers: [HealthAllController],
  providers: [HealthAllService],
  exports: [HealthAllService],
})
export class HealthAllModule {}
