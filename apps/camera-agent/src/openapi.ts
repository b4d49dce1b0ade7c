import { writeOpenApi } from '@airport-mesh/platform';
import { cameraAgentService } from './service.js';

await writeOpenApi(cameraAgentService, new URL('../openapi.json', import.meta.url).pathname);
