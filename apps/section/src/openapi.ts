import { writeOpenApi } from '@airport-mesh/platform';
import { sectionService } from './service.js';

await writeOpenApi(sectionService, new URL('../openapi.json', import.meta.url).pathname);
