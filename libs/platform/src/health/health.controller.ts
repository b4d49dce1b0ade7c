import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { ReadinessRegistry } from './readiness.registry.js';
import { healthSchema } from './health.schema.js';

/** Terminus's check (no caching), documented by the platform (see health.schema.ts). */
const Check = () => HealthCheck({ noCache: true, swaggerDocumentation: false });

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /** Liveness: the process answers. No dependency is checked, so a slow dependency never restarts us. */
  @Get('live')
  @Check()
  @ApiOkResponse({ description: 'The process is alive', schema: healthSchema('ok') })
  live() {
    return this.health.check([]);
  }

  /** Readiness: this replica's own dependencies are usable and it is not shutting down. */
  @Get('ready')
  @Check()
  @ApiOkResponse({ description: 'Ready for traffic', schema: healthSchema('ok') })
  @ApiServiceUnavailableResponse({
    description: 'Not ready (starting, dependency down, or shutting down)',
    schema: healthSchema('error'),
  })
  ready() {
    const checks = [
      async (): Promise<HealthIndicatorResult> => {
        const s = this.indicators.check('shutdown');
        return this.readiness.isShuttingDown ? s.down('shutting down') : s.up();
      },
      ...this.readiness.entries().map(([name, check]) => async (): Promise<HealthIndicatorResult> => {
        const s = this.indicators.check(name);
        try {
          return s.up((await check()) ?? {});
        } catch (error) {
          return s.down({ message: error instanceof Error ? error.message : String(error) });
        }
      }),
    ];
    return this.health.check(checks);
  }
}
