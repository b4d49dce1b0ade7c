import type { ServiceDefinition } from '@airport-mesh/platform';
import { AppModule } from './app.module.js';
import { CameraEnv } from './camera.env.js';

export const cameraAgentService: ServiceDefinition<CameraEnv> = {
  id: (env) => `camera-agent-${env.CAMERA_ID}`,
  displayName: (env) => `Camera ${env.CAMERA_ID}`,
  description:
    'An airport camera: streams JPEG frames of its section entry or exit to the collector at a set rate, ' +
    'counting what was sent, acknowledged and failed.',
  defaultPort: 8091,
  envClass: CameraEnv,
  module: AppModule,
};
