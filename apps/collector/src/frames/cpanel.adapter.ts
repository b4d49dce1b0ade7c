import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Counter } from 'prom-client';
import { MetricsService, ServiceClients, inCurrentTrace } from '@airport-mesh/platform';
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

interface Panel {
  url: string;
  client: Client;
  inFlight: number;
  /** When the last analysis of each section was handed to this panel. */
  lastAnalysis: Map<string, number>;
  /** The newest analysis of each section waiting for its turn (latest wins). */
  waiting: Map<string, () => Promise<unknown>>;
}

/**
 * Pushes the latest analysis and alerts to every control panel (the seeds' POST /analysis and
 * POST /alert). The dashboards are a view: a push never delays or fails a frame's acknowledgement;
 * one that cannot be delivered is counted and dropped (the panels also read through from the stores).
 *
 * Every alert is pushed. Analyses are pushed at most once per `CPANEL_PUSH_INTERVAL_MS` per section
 * and panel: the first at once, a newer one arriving within the interval waits for its end and
 * replaces any older one still waiting (counted `superseded`). A panel shows the latest analysis,
 * so at 20 frames/s it needs 5 per section, not 20 photos of 175 kB each (docs/performance.md).
 */
@Injectable()
export class CpanelAdapter {
  private readonly logger = new Logger(CpanelAdapter.name);
  private readonly panels: Panel[];
  private readonly pushes: Counter<'kind' | 'outcome'>;
  private readonly intervalMs: number;

  constructor(config: ConfigService<CollectorEnv, true>, clients: ServiceClients, metrics: MetricsService) {
    const urls = (config.get('CPANEL_URLS', { infer: true }) ?? config.get('CPANEL_URL', { infer: true }) ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    this.panels = urls.map((url) => ({
      url,
      client: clients.create(createClient, url, { target: `cpanel ${new URL(url).host}` }),
      inFlight: 0,
      lastAnalysis: new Map(),
      waiting: new Map(),
    }));
    this.intervalMs = config.get('CPANEL_PUSH_INTERVAL_MS', { infer: true });
    this.pushes = metrics.counter(
      'collector_cpanel_pushes_total',
      'Pushes to the control panels, by kind and outcome',
      ['kind', 'outcome'],
    );
  }

  analysis(body: CreateAnalysisDto): void {
    for (const panel of this.panels) {
      // bound to this frame's trace: a push sent later from the timer still belongs to it
      const send = inCurrentTrace(() => postAnalysis({ client: panel.client, body, throwOnError: true }));
      const section = body.section;
      if (panel.waiting.has(section)) {
        panel.waiting.set(section, send);
        this.pushes.inc({ kind: 'analysis', outcome: 'superseded' });
        continue;
      }
      const now = Date.now();
      const due = (panel.lastAnalysis.get(section) ?? -Infinity) + this.intervalMs;
      if (now >= due) {
        panel.lastAnalysis.set(section, now);
        this.push(panel, 'analysis', send);
        continue;
      }
      panel.waiting.set(section, send);
      setTimeout(() => {
        const latest = panel.waiting.get(section);
        panel.waiting.delete(section);
        panel.lastAnalysis.set(section, Date.now());
        if (latest) this.push(panel, 'analysis', latest);
      }, due - now).unref();
    }
  }

  alert(body: CreateAlertDto): void {
    for (const panel of this.panels)
      this.push(panel, 'alert', () => postAlert({ client: panel.client, body, throwOnError: true }));
  }

  private push(panel: Panel, kind: 'analysis' | 'alert', send: () => Promise<unknown>): void {
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
