import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { resolve } from 'node:path';
import type { SectionEnv } from '../section.env.js';
import { StatisticsController } from './statistics.controller.js';
import { StatisticsRepository } from './statistics.repository.js';
import { StatisticsService } from './statistics.service.js';

@Module({
  controllers: [StatisticsController],
  providers: [
    {
      provide: StatisticsRepository,
      inject: [ConfigService],
      useFactory: (config: ConfigService<SectionEnv, true>) =>
        new StatisticsRepository(
          resolve(
            config.get('DB_PATH', { infer: true }) ?? `.data/section-${config.get('SECTION_ID', { infer: true })}.db`,
          ),
        ),
    },
    StatisticsService,
  ],
})
export class StatisticsModule {}
