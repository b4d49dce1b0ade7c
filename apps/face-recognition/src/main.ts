import { startTelemetry } from '@airport-mesh/platform/telemetry';

await startTelemetry({ serviceName: 'face-recognition' });
const { runService } = await import('@airport-mesh/platform');
const { faceRecognitionService } = await import('./service.js');
await runService(faceRecognitionService);
