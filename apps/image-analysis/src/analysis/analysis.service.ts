import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import { MetricsService } from '@airport-mesh/platform';
import { AdmissionError, type AnalyzeOptions } from '@airport-mesh/vision';
import { VisionPoolProvider, toHttpError } from '@airport-mesh/vision/nest';
import type { AnalysisDto } from './analysis.dto.js';

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

@Injectable()
export class AnalysisService {
  private readonly frames: Counter<'outcome'>;
  private readonly faces: Counter;
  private readonly stage: Histogram<'stage'>;

  constructor(
    private readonly provider: VisionPoolProvider,
    metrics: MetricsService,
  ) {
    this.frames = metrics.counter('image_analysis_frames_total', 'Images analysed, by outcome', ['outcome']);
    this.faces = metrics.counter('image_analysis_faces_total', 'Faces found');
    this.stage = metrics.histogram(
      'image_analysis_stage_seconds',
      'Time per stage: decode, detect, attributes',
      ['stage'],
      [0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64],
    );
  }

  /**
   * Decodes and analyses in a worker of the pool. Rejects with a 503 problem (whose
   * `retryAfterSeconds` the controller sends as Retry-After) when the request is shed.
   */
  async analyze(image: Buffer, withDescriptors = false, options: AnalyzeOptions = {}): Promise<AnalysisDto> {
    try {
      const result = await this.provider.pool.analyze(image, options);
      this.frames.inc({ outcome: 'ok' });
      this.faces.inc(result.faces.length);
      this.stage.observe({ stage: 'decode' }, result.timings.decodeMs / 1000);
      this.stage.observe({ stage: 'detect' }, result.timings.detectMs / 1000);
      this.stage.observe({ stage: 'attributes' }, result.timings.attributesMs / 1000);
      return {
        personCount: result.faces.length,
        width: result.width,
        height: result.height,
        faces: result.faces.map((f) => ({
          box: {
            x: Math.round(f.box.x),
            y: Math.round(f.box.y),
            width: Math.round(f.box.width),
            height: Math.round(f.box.height),
          },
          score: round(f.score, 3),
          gender: f.gender,
          genderScore: round(f.genderScore, 3),
          age: round(f.age),
          ageRange: f.ageRange,
          ...(withDescriptors && {
            descriptor: Buffer.from(f.descriptor.buffer, f.descriptor.byteOffset, f.descriptor.byteLength).toString(
              'base64',
            ),
          }),
        })),
        timings: {
          decodeMs: round(result.timings.decodeMs, 2),
          detectMs: round(result.timings.detectMs, 2),
          attributesMs: round(result.timings.attributesMs, 2),
        },
      };
    } catch (error) {
      this.frames.inc({ outcome: error instanceof AdmissionError ? 'shed' : 'rejected' });
      throw toHttpError(error);
    }
  }
}
