import type { ServiceDefinition } from '@airport-mesh/platform';
import { AppModule } from './app.module.js';
import { FaceRecognitionEnv } from './face-recognition.env.js';

export const faceRecognitionService: ServiceDefinition<FaceRecognitionEnv> = {
  id: () => 'face-recognition',
  displayName: () => 'Face Recognition',
  description:
    'Recognises persons of interest in camera frames: every face is described by a 1024-d descriptor (FaceRes, ONNX) ' +
    'and matched by cosine similarity against a watch list kept in SQLite. Enrol persons with one or more photos.',
  defaultPort: 8083,
  envClass: FaceRecognitionEnv,
  module: AppModule,
  rawBodyContentTypes: ['image/jpeg', 'image/png', 'application/octet-stream'],
};
