import { writeOpenApi } from '@airport-mesh/platform';
import { cpanelService } from './service.js';

await writeOpenApi(cpanelService, new URL('../openapi.json', import.meta.url).pathname);
