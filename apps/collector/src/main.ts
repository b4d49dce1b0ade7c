import { startTelemetry } from '@airport-mesh/platform/telemetry';

await startTelemetry({ serviceName: 'collector' });
const { runService } = await import('@airport-mesh/platform');
const { collectorService } = await import('./service.js');
await runService(collectorService);
