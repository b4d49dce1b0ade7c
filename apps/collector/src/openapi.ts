import { writeOpenApi } from '@airport-mesh/platform';
import { collectorService } from './service.js';

await writeOpenApi(collectorService, new URL('../openapi.json', import.meta.url).pathname);
