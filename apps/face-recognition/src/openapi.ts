import { writeOpenApi } from '@airport-mesh/platform';
import { faceRecognitionService } from './service.js';

await writeOpenApi(faceRecognitionService, new URL('../openapi.json', import.meta.url).pathname);
