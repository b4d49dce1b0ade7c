import {
  BadGatewayException,
  Injectable,
  Logger,
  NotFoundException,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  UnprocessableEntityException,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { resolve } from 'node:path';
import type { Counter } from 'prom-client';
import { MetricsService, ServiceClients, problem } from '@airport-mesh/platform';
import { type Client, createClient, getState, startStream, stopStream } from '@airport-mesh/camera-agent-client';
import type { CPanelEnv } from '../cpanel.env.js';
import { DashboardEvents } from '../dashboard-events/dashboard-events.js';
import { LiveService } from '../live/live.service.js';
import { Upstreams, describeCallError } from '../upstream/upstreams.js';
import { type CameraConfig, CamerasFileError, loadCamerasFile } from './cameras-file.js';
import type { CameraDto, CamerasDto, CameraStateDto, StartCameraDto } from './cameras.dto.js';

interface Camera {
  config: CameraConfig;
  client: Client;
  state: CameraStateDto | null;
  error: string | null;
  checkedAt: string | null;
}

/**
 * The cameras of the cameras file (seed 000), read at start and again on `POST /cameras/reload` (an
 * invalid file is refused and the cameras in use are kept), and their control through each camera
 * agent's generated client. Their states are read again every REFRESH_INTERVAL_MS, so a camera started
 * elsewhere shows as streaming too.
 */
@Injectable()
export class CamerasService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CamerasService.name);
  private readonly file: string;
  private readonly cameraUrls?: string;
  private cameras = new Map<string, Camera>();
  private loadedAt = new Date();
  private timer?: NodeJS.Timeout;
  private readonly refreshMs: number;
  private readonly actions: Counter<'action' | 'outcome'>;

  constructor(
    config: ConfigService<CPanelEnv, true>,
    private readonly serviceClients: ServiceClients,
    private readonly upstreams: Upstreams,
    private readonly events: DashboardEvents,
    private readonly live: LiveService,
    metrics: MetricsService,
  ) {
    this.file = resolve(config.get('CAMERAS_FILE', { infer: true }));
    this.cameraUrls = config.get('CAMERA_URLS', { infer: true });
    this.actions = metrics.counter('cpanel_camera_actions_total', 'Camera start/stop/reload requests, by outcome', [
      'action',
      'outcome',
    ]);
    this.apply(loadCamerasFile(this.file, this.cameraUrls)); // validated at boot (CPanelEnv)
    this.refreshMs = config.get('REFRESH_INTERVAL_MS', { infer: true });
  }

  onApplicationBootstrap(): void {
    void this.refreshStates();
    if (this.refreshMs > 0) {
      this.timer = setInterval(() => void this.refreshStates(), this.refreshMs);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Each camera's generated client (for GET /health/all). */
  clients(): { id: string; url: string; client: Client }[] {
    return [...this.cameras.values()].map((c) => ({ id: c.config.id, url: c.config.url, client: c.client }));
  }

  list(): CamerasDto {
    return { file: this.file, loadedAt: this.loadedAt.toISOString(), cameras: [...this.cameras.values()].map(view) };
  }

  /** Re-reads the cameras file; an invalid one is a 422 and changes nothing. */
  async reload(): Promise<CamerasDto> {
    let configs: CameraConfig[];
    try {
      configs = loadCamerasFile(this.file, this.cameraUrls);
    } catch (error) {
      if (!(error instanceof CamerasFileError)) throw error;
      this.actions.inc({ action: 'reload', outcome: 'invalid' });
      this.logger.warn(`${error.message}; keeping the ${this.cameras.size} cameras in use`);
      throw new UnprocessableEntityException(
        problem(
          422,
          `cameras file ${this.file} is invalid, the cameras in use are kept: ${error.problems.join('; ')}`,
          { errors: error.problems },
        ),
      );
    }
    this.apply(configs);
    this.actions.inc({ action: 'reload', outcome: 'ok' });
    this.logger.log(`cameras file reloaded: ${configs.length} cameras`);
    await this.refreshStates(false);
    const cameras = this.list();
    this.events.emit({ type: 'cameras', data: cameras.cameras });
    return cameras;
  }

  async state(id: string): Promise<CameraDto> {
    const camera = this.get(id);
    await this.readState(camera);
    if (camera.error) throw new BadGatewayException(problem(502, camera.error));
    return view(camera);
  }

  async start(id: string, options: StartCameraDto): Promise<CameraDto> {
    return this.act(
      id,
      'start',
      async (camera) => (await startStream({ client: camera.client, body: options, throwOnError: true })).data,
    );
  }

  async stop(id: string): Promise<CameraDto> {
    return this.act(
      id,
      'stop',
      async (camera) => (await stopStream({ client: camera.client, throwOnError: true })).data,
    );
  }

  private async act(
    id: string,
    action: 'start' | 'stop',
    call: (camera: Camera) => Promise<CameraStateDto>,
  ): Promise<CameraDto> {
    const camera = this.get(id);
    try {
      camera.state = await call(camera);
      camera.error = null;
      camera.checkedAt = new Date().toISOString();
      this.actions.inc({ action, outcome: 'ok' });
      this.logger.log(`camera ${id} ${action === 'start' ? 'started' : 'stopped'}`);
    } catch (error) {
      this.actions.inc({ action, outcome: 'failed' });
      const reason = `camera ${id} (${camera.config.url}) did not ${action}: ${describeCallError(error)}`;
      this.logger.warn(reason);
      throw new BadGatewayException(problem(502, reason));
    } finally {
      this.events.emit({ type: 'camera', data: view(camera) });
    }
    return view(camera);
  }

  /** Reads every camera's state (in parallel, each within the upstream deadline). */
  async refreshStates(emit = true): Promise<void> {
    await Promise.all(
      [...this.cameras.values()].map(async (camera) => {
        const before = JSON.stringify([camera.state, camera.error]);
        await this.readState(camera);
        if (emit && JSON.stringify([camera.state, camera.error]) !== before)
          this.events.emit({ type: 'camera', data: view(camera) });
      }),
    );
  }

  private async readState(camera: Camera): Promise<void> {
    try {
      camera.state = (
        await getState({ client: camera.client, throwOnError: true, ...this.upstreams.callOptions })
      ).data;
      camera.error = null;
    } catch (error) {
      camera.error = `camera ${camera.config.id} (${camera.config.url}): ${describeCallError(error, this.upstreams.timeoutMs)}`;
    }
    camera.checkedAt = new Date().toISOString();
  }

  private get(id: string): Camera {
    const camera = this.cameras.get(id);
    if (!camera) {
      throw new NotFoundException(
        problem(404, `no camera ${id} in the cameras file; known: ${[...this.cameras.keys()].join(', ') || 'none'}`),
      );
    }
    return camera;
  }

  private apply(configs: CameraConfig[]): void {
    const next = new Map<string, Camera>();
    for (const config of configs) {
      const previous = this.cameras.get(config.id);
      const same = previous && previous.config.url === config.url;
      next.set(config.id, {
        config,
        client: same ? previous.client : this.serviceClients.create(createClient, config.url),
        state: same ? previous.state : null,
        error: same ? previous.error : null,
        checkedAt: same ? previous.checkedAt : null,
      });
      this.live.ensureSection(config.section);
    }
    this.cameras = next;
    this.loadedAt = new Date();
  }
}

function view(camera: Camera): CameraDto {
  return { ...camera.config, state: camera.state, error: camera.error, checkedAt: camera.checkedAt };
}
