import type { ServiceDefinition } from '@airport-mesh/platform';
import { AppModule } from './app.module.js';
import { ImageAnalysisEnv } from './image-analysis.env.js';

export const imageAnalysisService: ServiceDefinition<ImageAnalysisEnv> = {
  id: () => 'image-analysis',
  displayName: () => 'Image Analysis',
  description:
    'Finds the faces in a camera frame (BlazeFace) and estimates the gender and age of each person (FaceRes), ' +
    'with ONNX models run by onnxruntime-node on the CPU. Accepts a raw JPEG/PNG body or JSON {"image": base64}.',
  defaultPort: 8082,
  envClass: ImageAnalysisEnv,
  module: AppModule,
  rawBodyContentTypes: ['image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'],
};
