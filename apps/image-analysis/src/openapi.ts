import { writeOpenApi } from '@airport-mesh/platform';
import { imageAnalysisService } from './service.js';

await writeOpenApi(imageAnalysisService, new URL('../openapi.json', import.meta.url).pathname);
