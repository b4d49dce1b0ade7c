import { startTelemetry } from '@airport-mesh/platform/telemetry';

await startTelemetry({ serviceName: `section-${process.env.SECTION_ID ?? '1'}` });
const { runService } = await import('@airport-mesh/platform');
const { sectionService } = await import('./service.js');
await runService(sectionService);
