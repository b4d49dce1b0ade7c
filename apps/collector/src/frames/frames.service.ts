import { BadGatewayException, HttpException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { frameId as makeFrameId, sha256Hex } from '@airport-mesh/contracts';
import { MetricsService, jpegProblem, problem } from '@airport-mesh/platform';
import { AlertsAdapter, AlertsUnavailableError } from './alerts.adapter.js';
import { CpanelAdapter } from './cpanel.adapter.js';
import { DownstreamRefusedError } from './downstream.js';
import { FrameAnalyzer } from './frame-analyzer.js';
import type { CreateFrameDto, FrameAckDto } from './frame.dto.js';
import { AnalyzerUnavailableError } from './remote-frame-analyzer.js';
import { SectionAdapter, SectionUnavailableError, UnknownSectionError } from './section.adapter.js';

/**
 * One frame's way through the collector: check it, have it analysed, store its statistics in its
 * section, then an alert per recognised person of interest, and only when all of them are stored
 * acknowledge it. A frame a service refuses (a 4xx: a corrupt image, another frame under this id) is
 * refused to the camera with that status, which no client retries. A frame that could not be stored is answered with an error,
 * so the camera knows it was not taken (at-least-once; the section deduplicates by frame id).
 */
@Injectable()
export class FramesService {
  private readonly received: Counter;
  private readonly acknowledged: Counter;
  private readonly duplicates: Counter;
  private readonly failed: Counter<'reason'>;
  private readonly rejected: Counter<'reason'>;
  private readonly alerted: Counter;

  constructor(
    private readonly analyzer: FrameAnalyzer,
    private readonly sections: SectionAdapter,
    private readonly alerts: AlertsAdapter,
    private readonly cpanel: CpanelAdapter,
    metrics: MetricsService,
  ) {
    this.received = metrics.counter('collector_frames_received_total', 'Frames received from cameras');
    this.acknowledged = metrics.counter(
      'collector_frames_acknowledged_total',
      'Frames stored by their section and acknowledged',
    );
    this.duplicates = metrics.counter(
      'collector_frames_duplicate_total',
      'Acknowledged frames the section already had',
    );
    this.failed = metrics.counter(
      'collector_frames_failed_total',
      'Frames not acknowledged because a downstream service failed',
      ['reason'],
    );
    this.rejected = metrics.counter('collector_frames_rejected_total', 'Frames refused as bad input (4xx)', ['reason']);
    this.alerted = metrics.counter('collector_alerts_total', 'Alerts stored for recognised persons of interest');
  }

  async accept(frame: CreateFrameDto): Promise<FrameAckDto> {
    this.received.inc();
    const frameId = makeFrameId(frame.cameraId, frame.seq);
    const jpeg = Buffer.from(frame.image, 'base64');
    const bad = jpegProblem(jpeg);
    if (bad) {
      this.rejected.inc({ reason: 'image' });
      throw new UnprocessableEntityException(problem(422, `frame ${frameId}: ${bad}`));
    }
    if (!this.sections.sections.includes(frame.section)) {
      this.rejected.inc({ reason: 'section' });
      throw new UnprocessableEntityException(
        problem(422, `frame ${frameId}: unknown section ${frame.section}; known: ${this.sections.sections.join(', ')}`),
      );
    }
    const imageSha256 = sha256Hex(jpeg);
    let analysis;
    try {
      analysis = await this.analyzer.analyze({ base64: frame.image, jpeg });
    } catch (error) {
      if (error instanceof AnalyzerUnavailableError) {
        this.failed.inc({ reason: error.service });
        throw new BadGatewayException(problem(502, `frame ${frameId} not analysed: ${error.message}`));
      }
      throw this.refused(frameId, error);
    }
    const alerts = this.alerts.enabled ? analysis.matches : [];
    try {
      // The section first: it holds the frame's identity, so a frame it refuses (409) leaves no alert behind.
      const ref = {
        frameId,
        cameraId: frame.cameraId,
        section: frame.section,
        event: frame.event,
        timestamp: frame.timestamp,
        imageSha256,
      };
      const result = await this.sections.store(frame.section, {
        ...ref,
        personCount: analysis.personCount,
        faces: analysis.faces.map(({ gender, age, ageRange }) => ({ gender, age, ageRange })),
      });
      const storedAlerts = await Promise.all(
        alerts.map((m) =>
          this.alerts.store({
            ...ref,
            personId: m.personId,
            name: m.name,
            similarity: m.similarity,
            box: m.box,
          }),
        ),
      );
      this.alerted.inc(alerts.length);
      this.acknowledged.inc();
      this.cpanel.analysis({
        ...ref,
        personCount: analysis.personCount,
        faces: analysis.faces.map((f) => ({
          ...f,
          box: f.box ?? { x: 0, y: 0, width: 0, height: 0 },
          score: f.score ?? 0,
        })),
        matches: analysis.matches,
        image: frame.image,
      });
      for (const stored of storedAlerts) if (!stored.duplicate) this.cpanel.alert(stored.alert);
      if (result.duplicate) this.duplicates.inc();
      return {
        frameId,
        section: frame.section,
        personCount: analysis.personCount,
        alerts: alerts.map((m) => m.name),
        duplicate: result.duplicate,
      };
    } catch (error) {
      if (error instanceof SectionUnavailableError) {
        this.failed.inc({ reason: `section-${error.section}` });
        throw new BadGatewayException(problem(502, `frame ${frameId} not stored: ${error.message}`));
      }
      if (error instanceof AlertsUnavailableError) {
        this.failed.inc({ reason: 'alerts' });
        throw new BadGatewayException(problem(502, `frame ${frameId} not acknowledged: ${error.message}`));
      }
      if (error instanceof UnknownSectionError) throw new UnprocessableEntityException(problem(422, error.message));
      throw this.refused(frameId, error);
    }
  }

  /** A service refused the frame itself: the camera gets the same 4xx (never retried), else the error as is. */
  private refused(frameId: string, error: unknown): unknown {
    if (!(error instanceof DownstreamRefusedError)) return error;
    this.rejected.inc({ reason: error.status === 409 ? 'conflict' : error.service.split(' ')[0] });
    return new HttpException(problem(error.status, `frame ${frameId}: ${error.message}`), error.status);
  }
}
