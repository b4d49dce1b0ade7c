import type { ServiceDefinition } from '@airport-mesh/platform';
import { AppModule } from './app.module.js';
import { CPanelEnv } from './cpanel.env.js';

export const cpanelService: ServiceDefinition<CPanelEnv> = {
  id: () => 'cpanel',
  displayName: () => 'CPanel',
  description:
    'The control panel of the airport: a live dashboard of every section (v1: latest statistics, occupancy and the latest alert; ' +
    'v2: also the camera photo with faces, ages, genders and names, and charts over time), the cameras file with start/stop of ' +
    'each camera, and the status line of every service.',
  defaultPort: 8080,
  envClass: CPanelEnv,
  module: AppModule,
};
