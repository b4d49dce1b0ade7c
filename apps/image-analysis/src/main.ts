import { startTelemetry } from '@airport-mesh/platform/telemetry';

await startTelemetry({ serviceName: 'image-analysis' });
const { runService } = await import('@airport-mesh/platform');
const { imageAnalysisService } = await import('./service.js');
await runService(imageAnalysisService);
