import type { ServiceDefinition } from '@airport-mesh/platform';
import { AlertsEnv } from './alerts.env.js';
import { AppModule } from './app.module.js';

export const alertsService: ServiceDefinition<AlertsEnv> = {
  id: () => 'alerts',
  displayName: () => 'Alerts',
  description:
    'Stores an alert for every person of interest recognised in a camera frame, exactly once per frame id and person, ' +
    'serves them newest first, and optionally forwards each new alert to an outbound webhook without ever delaying or losing it.',
  defaultPort: 8084,
  envClass: AlertsEnv,
  module: AppModule,
};
