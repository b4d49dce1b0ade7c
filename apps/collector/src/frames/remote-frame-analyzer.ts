import { Injectable } from '@nestjs/common';
import { ServiceClients } from '@airport-mesh/platform';
import * as analysis from '@airport-mesh/image-analysis-client';
import * as recognition from '@airport-mesh/face-recognition-client';
import { type FrameAnalysis, FrameAnalyzer } from './frame-analyzer.js';
import { describeHttpError } from './section.gateway.js';

export class AnalyzerUnavailableError extends Error {
  constructor(
    readonly service: 'image-analysis' | 'face-recognition',
    reason: string,
  ) {
    super(`${service} failed: ${reason}`);
  }
}

/** Image analysis and face recognition, called in parallel through their generated clients. */
@Injectable()
export class RemoteFrameAnalyzer extends FrameAnalyzer {
  private readonly analysisClient?: analysis.Client;
  private readonly recognitionClient?: recognition.Client;

  constructor(clients: ServiceClients, urls: { imageAnalysis?: string; faceRecognition?: string }) {
    super();
    if (urls.imageAnalysis) this.analysisClient = clients.create(analysis.createClient, urls.imageAnalysis);
    if (urls.faceRecognition) this.recognitionClient = clients.create(recognition.createClient, urls.faceRecognition);
  }

  async analyze(image: string): Promise<FrameAnalysis> {
    const [analysed, recognised] = await Promise.all([
      this.analysisClient
        ? analysis.analyzeImage({ client: this.analysisClient, body: { image }, throwOnError: true }).then(
            (r) => r.data,
            (e: unknown) => Promise.reject(new AnalyzerUnavailableError('image-analysis', describeHttpError(e))),
          )
        : undefined,
      this.recognitionClient
        ? recognition.recognizeImage({ client: this.recognitionClient, body: { image }, throwOnError: true }).then(
            (r) => r.data,
            (e: unknown) => Promise.reject(new AnalyzerUnavailableError('face-recognition', describeHttpError(e))),
          )
        : undefined,
    ]);
    return {
      personCount: analysed?.personCount ?? recognised?.faces ?? null,
      faces: analysed?.faces ?? [],
      matches: recognised?.matches ?? [],
    };
  }
}
