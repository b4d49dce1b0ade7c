import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Counter } from 'prom-client';
import { MetricsService, ServiceClients } from '@airport-mesh/platform';
import {
  type Client,
  type CreateAlertDto,
  type CreateAnalysisDto,
  createClient,
  postAlert,
  postAnalysis,
} from '@airport-mesh/cpanel-client';
import type { CollectorEnv } from '../collector.env.js';

const MAX_IN_FLIGHT = 8;

/**
 * Pushes the latest analysis and alerts to every control panel (the seeds' POST /analysis and
 * POST /alert). The dashboards are a view: a push never delays or fails a frame's acknowledgement;
 * one that cannot be delivered is counted and dropped (the panels also read through from the stores).
 */
@Injectable()
export class CpanelAdapter {
  private readonly logger = new Logger(CpanelAdapter.name);
  private readonly panels: { url: string; client: Client; inFlight: number }[];
  private readonly pushes: Counter<'kind' | 'outcome'>;

  constructor(config: ConfigService<CollectorEnv, true>, clients: ServiceClients, metrics: MetricsService) {
    const urls = (config.get('CPANEL_URLS', { infer: true }) ?? config.get('CPANEL_URL', { infer: true }) ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    this.panels = urls.map((url) => ({
      url,
      client: clients.create(createClient, url, { target: `cpanel ${new URL(url).host}` }),
      inFlight: 0,
    }));
    this.pushes = metrics.counter(
      'collector_cpanel_pushes_total',
      'Pushes to the control panels, by kind and outcome',
      ['kind', 'outcome'],
    );
  }

  analysis(body: CreateAnalysisDto): void {
    for (const panel of this.panels)
      this.push(panel, 'analysis', () => postAnalysis({ client: panel.client, body, throwOnError: true }));
  }

  alert(body: CreateAlertDto): void {
    for (const panel of this.panels)
      this.push(panel, 'alert', () => postAlert({ client: panel.client, body, throwOnError: true }));
  }

  private push(
    panel: { url: string; inFlight: number },
    kind: 'analysis' | 'alert',
    send: () => Promise<unknown>,
  ): void {
    if (panel.inFlight >= MAX_IN_FLIGHT) {
      this.pushes.inc({ kind, outcome: 'dropped' });
      return;
    }
    panel.inFlight += 1;
    send()
      .then(
        () => this.pushes.inc({ kind, outcome: 'ok' }),
        (error: unknown) => {
          this.pushes.inc({ kind, outcome: 'failed' });
          this.logger.debug(
            `push of ${kind} to ${panel.url} failed: ${error instanceof Error ? error.message : error}`,
          );
        },
      )
      .finally(() => (panel.inFlight -= 1));
  }
}
