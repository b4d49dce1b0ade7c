import { Module, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { resolve } from 'node:path';
import { ReadinessRegistry } from '@airport-mesh/platform';
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
export class StatisticsModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly repository: StatisticsRepository,
  ) {}

  onModuleInit(): void {
    this.readiness.register('store', () => {
      this.repository.ping();
      return { path: this.repository.path };
    });
  }
}
