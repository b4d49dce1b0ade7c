import type { ServiceDefinition } from '@airport-mesh/platform';
import { AppModule } from './app.module.js';
import { CollectorEnv } from './collector.env.js';

export const collectorService: ServiceDefinition<CollectorEnv> = {
  id: () => 'collector',
  displayName: () => 'Collector',
  description:
    'Receives JPEG frames from the camera agents, has each one analysed, and acknowledges a frame only once ' +
    'its statistics are durably stored by the section service of the frame.',
  defaultPort: 8081,
  envClass: CollectorEnv,
  module: AppModule,
  admission: (env) => [
    {
      method: 'POST',
      url: '/frames',
      maxInFlight: env.FRAMES_MAX_IN_FLIGHT,
      targetLatencyMs: env.FRAMES_TARGET_LATENCY_MS,
      minInFlight: env.FRAMES_MIN_IN_FLIGHT,
    },
  ],
};
