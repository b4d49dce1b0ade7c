import { Injectable } from '@nestjs/common';
import { ServiceClients } from '@airport-mesh/platform';
import * as analysis from '@airport-mesh/image-analysis-client';
import * as recognition from '@airport-mesh/face-recognition-client';
import { type FrameAnalysis, FrameAnalyzer, type FrameImage } from './frame-analyzer.js';
import { describeHttpError, refusal } from './downstream.js';

export class AnalyzerUnavailableError extends Error {
  constructor(
    readonly service: 'image-analysis' | 'face-recognition',
    reason: string,
  ) {
    super(`${service} failed: ${reason}`);
  }
}

/** The analyser's refusal of the image (a 4xx: the frame is bad), or the service being unavailable. */
function failure(service: AnalyzerUnavailableError['service'], error: unknown): Error {
  return refusal(service, error) ?? new AnalyzerUnavailableError(service, describeHttpError(error));
}

/** Image analysis and face recognition, through their generated clients. */
@Injectable()
export class RemoteFrameAnalyzer extends FrameAnalyzer {
  private readonly analysisClient?: analysis.Client;
  private readonly recognitionClient?: recognition.Client;

  constructor(clients: ServiceClients, urls: { imageAnalysis?: string; faceRecognition?: string }) {
    super();
    if (urls.imageAnalysis)
      this.analysisClient = clients.create(analysis.createClient, urls.imageAnalysis, {
        idempotent: true,
        target: 'image-analysis',
      }); // pure functions of the image
    if (urls.faceRecognition)
      this.recognitionClient = clients.create(recognition.createClient, urls.faceRecognition, {
        idempotent: true,
        target: 'face-recognition',
      });
  }

  /**
   * With both services: image-analysis finds the faces, their attributes and descriptors in one model
   * run, then face-recognition matches the descriptors (no second FaceRes run on the same faces).
   * With face-recognition alone, it analyses the image itself.
   */
  async analyze(image: FrameImage): Promise<FrameAnalysis> {
    if (!this.analysisClient) {
      const recognised = await this.recognize(image.base64);
      return { personCount: recognised?.faces ?? null, faces: [], matches: recognised?.matches ?? [] };
    }
    const analysed = await analysis
      .analyzeImage({
        client: this.analysisClient,
        // the JPEG's bytes, not base64 in JSON: a third less to send, nothing to encode or parse
        body: new Blob([image.jpeg], { type: 'image/jpeg' }),
        headers: { 'Content-Type': 'image/jpeg' },
        query: { descriptors: Boolean(this.recognitionClient) },
        throwOnError: true,
      })
      .then(
        (r) => r.data,
        (e: unknown) => Promise.reject(failure('image-analysis', e)),
      );
    const described = analysed.faces.filter((f) => f.descriptor);
    const recognised =
      this.recognitionClient && described.length
        ? await recognition
            .matchFaces({
              client: this.recognitionClient,
              body: { faces: described.map((f) => ({ box: f.box, descriptor: f.descriptor! })) },
              throwOnError: true,
            })
            .then(
              (r) => r.data,
              (e: unknown) => Promise.reject(failure('face-recognition', e)),
            )
        : undefined;
    return {
      personCount: analysed.personCount,
      faces: analysed.faces.map(({ descriptor: _descriptor, ...face }) => face),
      matches: recognised?.matches ?? [],
    };
  }

  private async recognize(image: string) {
    if (!this.recognitionClient) return undefined;
    return recognition.recognizeImage({ client: this.recognitionClient, body: { image }, throwOnError: true }).then(
      (r) => r.data,
      (e: unknown) => Promise.reject(failure('face-recognition', e)),
    );
  }
}
