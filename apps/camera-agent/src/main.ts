import { startTelemetry } from '@airport-mesh/platform/telemetry';

await startTelemetry({ serviceName: `camera-agent-${process.env.CAMERA_ID ?? '1'}` });
const { runService } = await import('@airport-mesh/platform');
const { cameraAgentService } = await import('./service.js');
await runService(cameraAgentService);
