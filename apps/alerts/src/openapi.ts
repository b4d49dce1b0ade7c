import { writeOpenApi } from '@airport-mesh/platform';
import { alertsService } from './service.js';

await writeOpenApi(alertsService, new URL('../openapi.json', import.meta.url).pathname);
