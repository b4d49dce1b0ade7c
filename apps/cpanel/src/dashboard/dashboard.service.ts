import { Injectable } from '@nestjs/common';
import { ServiceIdentity } from '@airport-mesh/platform';
import { CamerasService } from '../cameras/cameras.service.js';
import type { CameraDto } from '../cameras/cameras.dto.js';
import { HealthAllService } from '../health-all/health-all.service.js';
import type { HealthAllDto } from '../health-all/health-all.dto.js';
import { LiveService } from '../live/live.service.js';
import type { LiveSnapshot } from '../live/views.js';

/** Everything one dashboard shows: the first paint, and the `snapshot` event of each SSE connection. */
export interface DashboardSnapshot extends LiveSnapshot {
  version: string;
  statusLine: string;
  cameras: CameraDto[];
  health: HealthAllDto | null;
}

@Injectable()
export class DashboardService {
  constructor(
    private readonly identity: ServiceIdentity,
    private readonly live: LiveService,
    private readonly cameras: CamerasService,
    private readonly health: HealthAllService,
  ) {}

  snapshot(): DashboardSnapshot {
    return {
      version: this.identity.version,
      statusLine: this.identity.statusLine,
      ...this.live.snapshot(),
      cameras: this.cameras.list().cameras,
      health: this.health.latest,
    };
  }

  /** For the first paint after a restart: the read-through (bounded) and a health check (bounded by its deadline). */
  async prepare(): Promise<void> {
    await Promise.all([this.live.settled(1500), this.health.latest ? undefined : this.health.check()]);
  }
}
