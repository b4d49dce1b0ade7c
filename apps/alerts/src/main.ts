import { startTelemetry } from '@airport-mesh/platform/telemetry';

await startTelemetry({ serviceName: 'alerts' });
const { runService } = await import('@airport-mesh/platform');
const { alertsService } = await import('./service.js');
await runService(alertsService);
