import { HttpService } from '@nestjs/axios';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { isAxiosError } from 'axios';
import type { Counter, Gauge } from 'prom-client';
import { MetricsService } from '@airport-mesh/platform';
import type { AlertsEnv } from '../alerts.env.js';
import type { AlertDto } from './alerts.dto.js';

export type WebhookOutcome = 'ok' | 'failed' | 'timeout' | 'dropped';

/** What the webhook receives for each new alert. */
export interface AlertWebhookPayload {
  type: 'alert';
  alert: AlertDto;
}

/**
 * The optional outbound webhook (the egress demo). An alert is handed over only after it is stored and
 * its answer decided; delivery runs in the background with a whole-call deadline and bounded
 * concurrency, so a webhook that hangs, fails or is slow never delays, blocks or loses an alert: it is
 * logged and counted (`alerts_webhook_deliveries_total{outcome}`), and nothing else happens.
 */
@Injectable()
export class AlertWebhook implements OnApplicationShutdown {
  private readonly logger = new Logger(AlertWebhook.name);
  private readonly url?: string;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly maxQueue: number;
  private readonly queue: AlertDto[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly deliveries: Counter<'outcome'>;
  private readonly pending: Gauge;
  private closed = false;

  constructor(
    private readonly http: HttpService,
    config: ConfigService<AlertsEnv, true>,
    metrics: MetricsService,
  ) {
    this.url = config.get('ALERT_WEBHOOK_URL', { infer: true });
    this.timeoutMs = config.get('ALERT_WEBHOOK_TIMEOUT_MS', { infer: true });
    this.concurrency = config.get('ALERT_WEBHOOK_CONCURRENCY', { infer: true });
    this.maxQueue = config.get('ALERT_WEBHOOK_QUEUE', { infer: true });
    this.deliveries = metrics.counter(
      'alerts_webhook_deliveries_total',
      'Webhook deliveries of new alerts, by outcome: ok, failed, timeout, dropped',
      ['outcome'],
    );
    this.pending = metrics.gauge('alerts_webhook_pending', 'Webhook deliveries queued or in flight');
    for (const outcome of ['ok', 'failed', 'timeout', 'dropped'] as const) this.deliveries.inc({ outcome }, 0);
  }

  get enabled(): boolean {
    return Boolean(this.url);
  }

  /** Queues the delivery of a stored alert and returns at once. */
  enqueue(alert: AlertDto): void {
    if (!this.url) return;
    if (this.closed || this.queue.length >= this.maxQueue) {
      this.count('dropped');
      this.logger.warn(
        `webhook delivery of alert ${alert.id} (${alert.frameId}, ${alert.personId}) dropped: ${this.closed ? 'shutting down' : `queue full (${this.maxQueue})`}`,
      );
      return;
    }
    this.queue.push(alert);
    this.pump();
  }

  /** Resolves when nothing is queued or in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size || this.queue.length) {
      if (this.inFlight.size) await Promise.race(this.inFlight);
      else await new Promise((resolve) => setImmediate(resolve)); // a pump is scheduled
    }
  }

  async onApplicationShutdown(): Promise<void> {
    // The HTTP server is closed by now, so no alert arrives any more; what was accepted is still
    // delivered, each within its deadline.
    this.closed = true;
    await this.idle();
  }

  private pump(): void {
    // A macrotask later: the alert's own answer is written before its delivery starts.
    setImmediate(() => {
      while (this.inFlight.size < this.concurrency && this.queue.length) {
        const alert = this.queue.shift()!;
        const delivery = this.deliver(alert).finally(() => {
          this.inFlight.delete(delivery);
          this.pending.set(this.queue.length + this.inFlight.size);
          if (this.queue.length) this.pump();
        });
        this.inFlight.add(delivery);
      }
      this.pending.set(this.queue.length + this.inFlight.size);
    });
  }

  private async deliver(alert: AlertDto): Promise<void> {
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, this.timeoutMs);
    const t0 = performance.now();
    try {
      const payload: AlertWebhookPayload = { type: 'alert', alert };
      const response = await this.http.axiosRef.post(this.url!, payload, {
        signal: abort.signal,
        timeout: this.timeoutMs,
        headers: { 'content-type': 'application/json' },
        validateStatus: () => true,
        maxRedirects: 0,
      });
      if (response.status >= 200 && response.status < 300) {
        this.count('ok');
        this.logger.debug(
          `alert ${alert.id} delivered to the webhook (HTTP ${response.status}, ${Math.round(performance.now() - t0)} ms)`,
        );
      } else {
        this.count('failed');
        this.logger.warn(
          `webhook refused alert ${alert.id} (${alert.frameId}, ${alert.personId}): HTTP ${response.status}`,
        );
      }
    } catch (error) {
      const timeout =
        timedOut || (isAxiosError(error) && (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT'));
      this.count(timeout ? 'timeout' : 'failed');
      const reason = timeout
        ? `no answer within ${this.timeoutMs} ms`
        : isAxiosError(error)
          ? (error.code ?? error.message)
          : String(error);
      this.logger.warn(`webhook delivery of alert ${alert.id} (${alert.frameId}, ${alert.personId}) failed: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private count(outcome: WebhookOutcome): void {
    this.deliveries.inc({ outcome });
  }
}
