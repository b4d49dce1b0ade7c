import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ServiceIdentity } from '@airport-mesh/platform';
import { status as alertsStatus } from '@airport-mesh/alerts-client';
import { getState, status as cameraStatus } from '@airport-mesh/camera-agent-client';
import { status as collectorStatus } from '@airport-mesh/collector-client';
import { status as faceRecognitionStatus } from '@airport-mesh/face-recognition-client';
import { status as imageAnalysisStatus } from '@airport-mesh/image-analysis-client';
import { status as sectionStatus } from '@airport-mesh/section-client';
import { CamerasService } from '../cameras/cameras.service.js';
import { DashboardEvents } from '../dashboard-events/dashboard-events.js';
import { Upstreams, describeCallError } from '../upstream/upstreams.js';
import type { HealthAllDto, ServiceHealthDto } from './health-all.dto.js';

const DASHBOARD_HEALTH_INTERVAL_MS = 10_000;

/**
 * Every service's `/status` line, like the seeds' `make health`: each through its generated client, all
 * in parallel and each within UPSTREAM_TIMEOUT_MS, so one dead or hanging service shows as unreachable
 * instead of holding up the rest.
 */
@Injectable()
export class HealthAllService implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private last: HealthAllDto | null = null;

  constructor(
    private readonly identity: ServiceIdentity,
    private readonly upstreams: Upstreams,
    private readonly cameras: CamerasService,
    private readonly events: DashboardEvents,
  ) {}

  /** The last result, for the dashboard's first paint. */
  get latest(): HealthAllDto | null {
    return this.last;
  }

  onApplicationBootstrap(): void {
    // Open dashboards get the services' health every 10 s.
    this.timer = setInterval(() => {
      if (this.events.watched) void this.check().then((h) => this.events.emit({ type: 'health', data: h }));
    }, DASHBOARD_HEALTH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async check(): Promise<HealthAllDto> {
    const timeout = this.upstreams.timeoutMs;
    const opts = () => ({ throwOnError: true as const, ...this.upstreams.callOptions });
    const probes: Promise<ServiceHealthDto>[] = [
      Promise.resolve({
        name: 'cpanel',
        url: 'self',
        online: true,
        status: this.identity.statusLine,
        error: null,
        latencyMs: 0,
      }),
      probe(
        'collector',
        this.upstreams.collector.url,
        timeout,
        async () => (await collectorStatus({ client: this.upstreams.collector.client, ...opts() })).data,
      ),
      ...[...this.upstreams.sections.values()].map((s) =>
        probe(s.name, s.url, timeout, async () => (await sectionStatus({ client: s.client, ...opts() })).data),
      ),
      probe(
        'alerts',
        this.upstreams.alerts.url,
        timeout,
        async () => (await alertsStatus({ client: this.upstreams.alerts.client, ...opts() })).data,
      ),
      ...this.cameras.clients().map(({ id, url, client }) =>
        probe(`camera-${id}`, url, timeout, async () => {
          const [line, state] = await Promise.all([
            cameraStatus({ client, ...opts() }).then((r) => r.data),
            getState({ client, ...opts() }).then(
              (r) => r.data,
              () => undefined,
            ),
          ]);
          return { line, state };
        }),
      ),
      probe(
        'image-analysis',
        this.upstreams.imageAnalysis.url,
        timeout,
        async () => (await imageAnalysisStatus({ client: this.upstreams.imageAnalysis.client, ...opts() })).data,
      ),
      probe(
        'face-recognition',
        this.upstreams.faceRecognition.url,
        timeout,
        async () => (await faceRecognitionStatus({ client: this.upstreams.faceRecognition.client, ...opts() })).data,
      ),
    ];
    const services = await Promise.all(probes);
    this.last = {
      checkedAt: new Date().toISOString(),
      online: services.filter((s) => s.online).length,
      total: services.length,
      services,
    };
    return this.last;
  }
}

async function probe(
  name: string,
  url: string,
  timeoutMs: number,
  call: () => Promise<string | { line: string; state?: ServiceHealthDto['state'] }>,
): Promise<ServiceHealthDto> {
  const t0 = performance.now();
  try {
    const result = await call();
    const line = typeof result === 'string' ? result : result.line;
    const state = typeof result === 'string' ? undefined : result.state;
    return {
      name,
      url,
      online: true,
      status: String(line).trim(),
      error: null,
      latencyMs: Math.round(performance.now() - t0),
      ...(state ? { state } : {}),
    };
  } catch (error) {
    return {
      name,
      url,
      online: false,
      status: null,
      error: describeCallError(error, timeoutMs),
      latencyMs: Math.round(performance.now() - t0),
    };
  }
}

/** `make health` as text: one line per service. */
export function healthAsText(health: HealthAllDto): string {
  const width = Math.max(...health.services.map((s) => s.name.length));
  const lines = health.services.map((s) => {
    const what = s.online ? s.status : `UNREACHABLE (${s.error})`;
    const state = s.state ? ` ${JSON.stringify(s.state)}` : '';
    return `${s.name.padEnd(width)}  ${what}${state}`;
  });
  return `${lines.join('\n')}\n${health.online}/${health.total} online at ${health.checkedAt}\n`;
}
