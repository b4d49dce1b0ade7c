import {
  BadRequestException,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { isAxiosError } from 'axios';
import { AsyncResource } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Counter } from 'prom-client';
import { frameId } from '@airport-mesh/contracts';
import { MetricsService, ServiceClients, problem } from '@airport-mesh/platform';
import { type Client, createClient, postFrame } from '@airport-mesh/collector-client';
import type { CameraEnv } from '../camera.env.js';
import { FrameSource } from '../frames/frame-source.js';
import type { CameraCountersDto, CameraStateDto, StartStreamDto } from './stream.dto.js';

interface Run {
  fps: number;
  destination: string;
  client: Client;
  maxFrames?: number;
  done: Promise<void>;
  stop: boolean;
}

/**
 * Streams frames to the collector at a set rate. Each frame gets a new sequence number; a frame the
 * collector did not acknowledge is sent again with the same number (the section stores it once).
 * Sequence numbers start at the process start time in ms and count up, so they never repeat across
 * restarts as long as the camera sends fewer than 1000 frames per second.
 */
@Injectable()
export class StreamService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StreamService.name);
  private readonly env: Pick<
    CameraEnv,
    | 'CAMERA_ID'
    | 'CAMERA_SECTION'
    | 'CAMERA_EVENT'
    | 'CAMERA_FPS'
    | 'COLLECTOR_URL'
    | 'CAMERA_AUTOSTART'
    | 'CAMERA_RETRIES'
  >;
  /** The destinations a request may choose (normalised base URLs): COLLECTOR_URL and CAMERA_DESTINATIONS. */
  private readonly destinations: Set<string>;
  private readonly clients = new Map<string, Client>();
  private run?: Run;
  private cycle = 0;
  private nextSeq = Date.now();
  private readonly counters: CameraCountersDto = {
    sent: 0,
    acknowledged: 0,
    failed: 0,
    retries: 0,
    duplicates: 0,
    lastError: null,
    firstFrameId: null,
  };
  private readonly metric: Counter<'outcome'>;
  private readonly tracer = trace.getTracer('camera-agent');
  /**
   * Runs the streaming loop in the context this service was created in, not in the context of the
   * POST /stream request that started it: each frame is a trace (and a log context) of its own.
   */
  private readonly detached = AsyncResource.bind((run: Run) => this.loop(run));

  constructor(
    config: ConfigService<CameraEnv, true>,
    private readonly source: FrameSource,
    private readonly serviceClients: ServiceClients,
    metrics: MetricsService,
  ) {
    this.env = {
      CAMERA_ID: config.get('CAMERA_ID', { infer: true }),
      CAMERA_SECTION: config.get('CAMERA_SECTION', { infer: true }),
      CAMERA_EVENT: config.get('CAMERA_EVENT', { infer: true }),
      CAMERA_FPS: config.get('CAMERA_FPS', { infer: true }),
      COLLECTOR_URL: config.get('COLLECTOR_URL', { infer: true }),
      CAMERA_AUTOSTART: config.get('CAMERA_AUTOSTART', { infer: true }),
      CAMERA_RETRIES: config.get('CAMERA_RETRIES', { infer: true }),
    };
    this.destinations = new Set(
      [this.env.COLLECTOR_URL, ...(config.get('CAMERA_DESTINATIONS', { infer: true }) ?? '').split(',')]
        .filter(Boolean)
        .map(normaliseDestination),
    );
    this.metric = metrics.counter(
      'camera_frames_total',
      'Frames by outcome: sent, acknowledged, failed, retried, duplicate',
      ['outcome'],
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.env.CAMERA_AUTOSTART) {
      await this.source.ready();
      this.start({});
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  state(): CameraStateDto {
    return {
      streaming: Boolean(this.run && !this.run.stop),
      cycle: this.cycle,
      fps: this.run && !this.run.stop ? this.run.fps : 0,
      section: this.env.CAMERA_SECTION,
      destination: this.run?.destination ?? this.env.COLLECTOR_URL,
      event: this.env.CAMERA_EVENT,
    };
  }

  stats(): CameraCountersDto {
    return { ...this.counters };
  }

  /** Starts streaming, or, when already streaming, restarts with the new settings. */
  async startOrRestart(options: StartStreamDto): Promise<CameraStateDto> {
    if (options.destination !== undefined && !this.destinations.has(normaliseDestination(options.destination))) {
      throw new BadRequestException(
        problem(400, "Invalid request: destination is not one of this camera's configured destinations", {
          errors: ['destination: not in COLLECTOR_URL or CAMERA_DESTINATIONS'],
        }),
      );
    }
    await this.source.ready();
    if (this.run && !this.run.stop) await this.stop();
    this.start(options);
    return this.state();
  }

  private start(options: StartStreamDto): void {
    const destination = normaliseDestination(options.destination ?? this.env.COLLECTOR_URL);
    let client = this.clients.get(destination);
    if (!client) {
      // POST /frames is idempotent by frame id (cameraId:seq): safe to retry.
      client = this.serviceClients.create(createClient, destination, { idempotent: true, target: 'collector' });
      this.clients.set(destination, client);
    }
    this.cycle = 0;
    this.counters.firstFrameId = null;
    const run: Run = {
      fps: options.fps ?? this.env.CAMERA_FPS,
      destination,
      client,
      maxFrames: options.maxFrames,
      stop: false,
      done: Promise.resolve(),
    };
    run.done = this.detached(run);
    this.run = run;
    this.logger.log(`streaming to ${destination} at ${run.fps} fps`);
  }

  async stop(): Promise<CameraStateDto> {
    const run = this.run;
    if (run) {
      run.stop = true;
      await run.done;
    }
    return this.state();
  }

  private async loop(run: Run): Promise<void> {
    const interval = 1000 / run.fps;
    let next = performance.now();
    while (!run.stop) {
      await this.sendFrame(run);
      if (run.maxFrames !== undefined && this.cycle >= run.maxFrames) break;
      next += interval;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      else next = performance.now(); // fell behind: do not burst to catch up
    }
    run.stop = true;
  }

  private async sendFrame(run: Run): Promise<void> {
    const seq = this.nextSeq++;
    const id = frameId(this.env.CAMERA_ID, seq);
    await this.tracer.startActiveSpan(
      `frame ${this.env.CAMERA_ID}`,
      {
        root: true,
        kind: SpanKind.PRODUCER,
        attributes: { 'airport.frame_id': id, 'airport.section': this.env.CAMERA_SECTION },
      },
      async (span) => {
        try {
          const acknowledged = await this.deliver(run, id, seq);
          if (!acknowledged)
            span.setStatus({ code: SpanStatusCode.ERROR, message: this.counters.lastError ?? 'not acknowledged' });
        } finally {
          span.end();
        }
      },
    );
  }

  /** Sends one frame, again on failure; true when the collector acknowledged it. */
  private async deliver(run: Run, id: string, seq: number): Promise<boolean> {
    this.counters.firstFrameId ??= id;
    const body = {
      cameraId: this.env.CAMERA_ID,
      section: this.env.CAMERA_SECTION,
      event: this.env.CAMERA_EVENT,
      timestamp: new Date().toISOString(),
      seq,
      image: this.source.frame(this.cycle).toString('base64'),
    };
    this.cycle += 1;
    this.counters.sent += 1;
    this.metric.inc({ outcome: 'sent' });
    for (let attempt = 0; attempt <= this.env.CAMERA_RETRIES; attempt += 1) {
      if (attempt > 0) {
        this.counters.retries += 1;
        this.metric.inc({ outcome: 'retried' });
        await sleep(Math.min(2000, 100 * 2 ** (attempt - 1)));
      }
      try {
        const { data } = await postFrame({ client: run.client, body, throwOnError: true });
        this.counters.acknowledged += 1;
        this.metric.inc({ outcome: 'acknowledged' });
        if (data.duplicate) {
          this.counters.duplicates += 1;
          this.metric.inc({ outcome: 'duplicate' });
        }
        return true;
      } catch (error) {
        this.counters.lastError = `${id}: ${describe(error)}`;
        const status = isAxiosError(error) ? error.response?.status : undefined;
        if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) break; // our fault: sending again will not help
      }
    }
    this.counters.failed += 1;
    this.metric.inc({ outcome: 'failed' });
    this.logger.warn(`frame ${id} not acknowledged: ${this.counters.lastError}`);
    return false;
  }
}

/**
 * A short reason for a failed delivery: the status or the error code only. Never the answer's body: it
 * would turn GET /counters into an oracle for whatever the destination says.
 */
function describe(error: unknown): string {
  if (isAxiosError(error)) return error.response ? `HTTP ${error.response.status}` : (error.code ?? 'network error');
  return 'delivery failed';
}

/** A base URL as compared with the allow-list: parsed, no query, fragment or credentials, no trailing slash. */
export function normaliseDestination(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `invalid:${url}`;
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) return `invalid:${url}`;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
}
