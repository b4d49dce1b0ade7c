import { Module } from '@nestjs/common';
import { StatisticsModule } from './statistics/statistics.module.js';

@Module({ imports: [StatisticsModule] })
export class AppModule {}
