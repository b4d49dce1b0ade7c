import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { resolve } from 'node:path';
import type { AlertsEnv } from '../alerts.env.js';
import { AlertWebhook } from './alert-webhook.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsRepository } from './alerts.repository.js';
import { AlertsService } from './alerts.service.js';

@Module({
  // The webhook's own HTTP client: its deadline is ALERT_WEBHOOK_TIMEOUT_MS, not the inter-service one.
  imports: [HttpModule.register({ maxRedirects: 0 })],
  controllers: [AlertsController],
  providers: [
    {
      provide: AlertsRepository,
      inject: [ConfigService],
      useFactory: (config: ConfigService<AlertsEnv, true>) =>
        new AlertsRepository(resolve(config.get('DB_PATH', { infer: true }) ?? '.data/alerts.db')),
    },
    AlertWebhook,
    AlertsService,
  ],
})
export class AlertsModule {}
