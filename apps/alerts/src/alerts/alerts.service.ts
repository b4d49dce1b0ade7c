import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
  type OnModuleInit,
} from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService, ReadinessRegistry, problem } from '@airport-mesh/platform';
import { AlertWebhook } from './alert-webhook.js';
import type { AlertDto, AlertsPageDto, CreateAlertDto, ListAlertsQueryDto, StoreAlertResultDto } from './alerts.dto.js';
import { AlertsRepository, decodeCursor, encodeCursor } from './alerts.repository.js';

@Injectable()
export class AlertsService implements OnModuleInit {
  private readonly stored: Counter;
  private readonly duplicates: Counter;
  private readonly conflicts: Counter;

  constructor(
    private readonly repository: AlertsRepository,
    private readonly webhook: AlertWebhook,
    metrics: MetricsService,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.stored = metrics.counter('alerts_stored_total', 'Alerts stored (first delivery of a frame id and person)');
    this.duplicates = metrics.counter('alerts_duplicates_total', 'Deliveries of an already stored alert, dropped');
    this.conflicts = metrics.counter(
      'alerts_conflicts_total',
      'Deliveries of a stored frame id and person with another frame, refused (409)',
    );
  }

  onModuleInit(): void {
    this.readiness.register('store', () => {
      this.repository.ping();
      return { path: this.repository.path, webhook: this.webhook.enabled };
    });
  }

  /**
   * Stores the alert durably (the insert returns once it is on disk); a repeat changes nothing, and a
   * repeat of the frame id with another frame is a 409.
   */
  store(alert: CreateAlertDto): StoreAlertResultDto {
    const result = this.repository.insert(alert, new Date());
    if (result.conflict) {
      this.conflicts.inc();
      throw new ConflictException(
        problem(409, `frame ${alert.frameId} has an alert for ${alert.personId} from another frame; nothing changed`),
      );
    }
    (result.stored ? this.stored : this.duplicates).inc();
    return { alert: result.alert, stored: result.stored, duplicate: !result.stored };
  }

  /** Hands a newly stored alert to the webhook (after its answer is decided; never awaited). */
  notify(result: StoreAlertResultDto): void {
    if (result.stored) this.webhook.enqueue(result.alert);
  }

  list(query: ListAlertsQueryDto): AlertsPageDto {
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (cursor === null) throw new BadRequestException(problem(400, 'cursor is not a nextCursor of this service'));
    const items = this.repository.page({ limit: query.limit, offset: query.offset, cursor, section: query.section });
    const last = items.at(-1);
    return {
      items,
      total: this.repository.count(query.section),
      nextCursor: items.length === query.limit && last ? encodeCursor({ takenAt: last.timestamp, id: last.id }) : null,
    };
  }

  latest(section?: string): AlertDto {
    const [newest] = this.repository.page({ limit: 1, offset: 0, section });
    if (!newest)
      throw new NotFoundException(problem(404, section ? `no alert in section ${section} yet` : 'no alert yet'));
    return newest;
  }
}
