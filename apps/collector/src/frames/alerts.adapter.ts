import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ServiceClients } from '@airport-mesh/platform';
import {
  type Client,
  type CreateAlertDto,
  type StoreAlertResultDto,
  createClient,
  storeAlert,
} from '@airport-mesh/alerts-client';
import type { CollectorEnv } from '../collector.env.js';
import { describeHttpError, refusal } from './downstream.js';

export class AlertsUnavailableError extends Error {}

/** The alerts service: one alert per recognised person per frame (idempotent on both). */
@Injectable()
export class AlertsAdapter {
  private readonly client?: Client;

  constructor(config: ConfigService<CollectorEnv, true>, clients: ServiceClients) {
    const url = config.get('ALERTS_URL', { infer: true });
    if (url) this.client = clients.create(createClient, url, { idempotent: true, target: 'alerts' });
  }

  get enabled(): boolean {
    return Boolean(this.client);
  }

  async store(alert: CreateAlertDto): Promise<StoreAlertResultDto> {
    if (!this.client) throw new AlertsUnavailableError('no ALERTS_URL configured');
    try {
      const { data } = await storeAlert({ client: this.client, body: alert, throwOnError: true });
      return data;
    } catch (error) {
      throw (
        refusal('alerts', error) ??
        new AlertsUnavailableError(`alerts did not store the alert: ${describeHttpError(error)}`)
      );
    }
  }
}
