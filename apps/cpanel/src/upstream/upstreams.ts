import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { isAxiosError } from 'axios';
import { SECTION_ID_PATTERN } from '@airport-mesh/contracts';
import { ServiceClients, parseUrlMap } from '@airport-mesh/platform';
import { type Client as AlertsClient, createClient as createAlertsClient } from '@airport-mesh/alerts-client';
import { type Client as CollectorClient, createClient as createCollectorClient } from '@airport-mesh/collector-client';
import {
  type Client as FaceRecognitionClient,
  createClient as createFaceRecognitionClient,
} from '@airport-mesh/face-recognition-client';
import {
  type Client as ImageAnalysisClient,
  createClient as createImageAnalysisClient,
} from '@airport-mesh/image-analysis-client';
import { type Client as SectionClient, createClient as createSectionClient } from '@airport-mesh/section-client';
import type { CPanelEnv } from '../cpanel.env.js';

export interface Upstream<C> {
  name: string;
  url: string;
  client: C;
}

/**
 * The services cpanel reads through (generated clients on the platform's HTTP instance), and the
 * deadline of each call: a dead service makes a read fail fast, never hang the dashboard.
 */
@Injectable()
export class Upstreams {
  readonly sections: Map<string, Upstream<SectionClient>>;
  readonly alerts: Upstream<AlertsClient>;
  readonly collector: Upstream<CollectorClient>;
  readonly imageAnalysis: Upstream<ImageAnalysisClient>;
  readonly faceRecognition: Upstream<FaceRecognitionClient>;
  readonly timeoutMs: number;

  constructor(config: ConfigService<CPanelEnv, true>, clients: ServiceClients) {
    this.timeoutMs = config.get('UPSTREAM_TIMEOUT_MS', { infer: true });
    this.sections = new Map(
      [...parseUrlMap(config.get('SECTION_URLS', { infer: true }), 'SECTION_URLS', SECTION_ID_PATTERN)].map(
        ([id, url]) => [id, { name: `section-${id}`, url, client: clients.create(createSectionClient, url) }],
      ),
    );
    const alertsUrl = trim(config.get('ALERTS_URL', { infer: true }));
    this.alerts = { name: 'alerts', url: alertsUrl, client: clients.create(createAlertsClient, alertsUrl) };
    const collectorUrl = trim(config.get('COLLECTOR_URL', { infer: true }));
    this.collector = {
      name: 'collector',
      url: collectorUrl,
      client: clients.create(createCollectorClient, collectorUrl),
    };
    const imageAnalysisUrl = trim(config.get('IMAGE_ANALYSIS_URL', { infer: true }));
    this.imageAnalysis = {
      name: 'image-analysis',
      url: imageAnalysisUrl,
      client: clients.create(createImageAnalysisClient, imageAnalysisUrl),
    };
    const faceRecognitionUrl = trim(config.get('FACE_RECOGNITION_URL', { infer: true }));
    this.faceRecognition = {
      name: 'face-recognition',
      url: faceRecognitionUrl,
      client: clients.create(createFaceRecognitionClient, faceRecognitionUrl),
    };
  }

  /** Options every read-through call passes to a generated client: the deadline. */
  get callOptions(): { timeout: number; signal: AbortSignal } {
    return { timeout: this.timeoutMs, signal: AbortSignal.timeout(this.timeoutMs) };
  }
}

function trim(url: string): string {
  return url.replace(/\/+$/, '');
}

/** A short reason for a failed call: `HTTP 503`, `ECONNREFUSED`, `timeout after 1500 ms`. */
export function describeCallError(error: unknown, timeoutMs?: number): string {
  if (isAxiosError(error)) {
    if (error.response) {
      const detail = (error.response.data as { detail?: unknown } | undefined)?.detail;
      return `HTTP ${error.response.status}${typeof detail === 'string' ? `: ${detail}` : ''}`;
    }
    if (error.code === 'ECONNABORTED' || error.code === 'ETIMEDOUT' || error.code === 'ERR_CANCELED') {
      return timeoutMs ? `no answer within ${timeoutMs} ms` : 'timeout';
    }
    return error.code ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
