import { ConflictException, Injectable, type OnModuleInit, UnprocessableEntityException } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Counter } from 'prom-client';
import { MetricsService, ReadinessRegistry, problem } from '@airport-mesh/platform';
import type { SectionEnv } from '../section.env.js';
import type { CreateStatisticsDto, StatisticsPageDto, StoreResultDto, SummaryDto } from './statistics.dto.js';
import { StatisticsRepository } from './statistics.repository.js';

@Injectable()
export class StatisticsService implements OnModuleInit {
  private readonly section: string;
  private readonly stored: Counter;
  private readonly duplicates: Counter;
  private readonly conflicts: Counter;

  constructor(
    private readonly repository: StatisticsRepository,
    config: ConfigService<SectionEnv, true>,
    metrics: MetricsService,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.section = config.get('SECTION_ID', { infer: true });
    this.stored = metrics.counter('section_statistics_stored_total', 'Frame statistics stored (first delivery)');
    this.duplicates = metrics.counter(
      'section_statistics_duplicates_total',
      'Deliveries of an already stored frame, dropped',
    );
    this.conflicts = metrics.counter(
      'section_statistics_conflicts_total',
      'Deliveries of a stored frame id with other content, refused (409)',
    );
  }

  onModuleInit(): void {
    this.readiness.register('store', () => {
      this.repository.ping();
      return { path: this.repository.path };
    });
  }

  store(record: CreateStatisticsDto): StoreResultDto {
    if (record.section !== this.section) {
      throw new UnprocessableEntityException(
        problem(422, `frame ${record.frameId} belongs to section ${record.section}, this is section ${this.section}`),
      );
    }
    const outcome = this.repository.insert(record, new Date());
    if (outcome === 'conflict') {
      this.conflicts.inc();
      throw new ConflictException(
        problem(409, `frame ${record.frameId} is stored already with other content; nothing changed`),
      );
    }
    const stored = outcome === 'stored';
    (stored ? this.stored : this.duplicates).inc();
    return { frameId: record.frameId, stored, duplicate: !stored };
  }

  list(limit: number, offset: number): StatisticsPageDto {
    return { items: this.repository.page(limit, offset), total: this.repository.count() };
  }

  summary(windowSeconds?: number): SummaryDto {
    const since = windowSeconds ? new Date(Date.now() - windowSeconds * 1000) : null;
    return { ...this.repository.summary(this.section, since), windowSeconds: windowSeconds ?? null };
  }
}
