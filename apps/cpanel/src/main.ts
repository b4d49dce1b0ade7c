import { startTelemetry } from '@airport-mesh/platform/telemetry';

await startTelemetry({ serviceName: 'cpanel' });
const { runService } = await import('@airport-mesh/platform');
const { cpanelService } = await import('./service.js');
await runService(cpanelService);
