import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthAllDto, HealthAllQueryDto } from './health-all.dto.js';
import { HealthAllService, healthAsText } from './health-all.service.js';

@ApiTags('health')
@Controller('health')
export class HealthAllController {
  constructor(private readonly health: HealthAllService) {}

  /**
   * Every service's `/status` line, like the seeds' `make health` (each within UPSTREAM_TIMEOUT_MS;
   * unreachable ones are listed with the reason). Always 200: this reports, it is not a probe.
   */
  @Get('all')
  @ApiProduces('application/json', 'text/plain')
  @ApiOkResponse({ type: HealthAllDto })
  async getHealthAll(
    @Query() query: HealthAllQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HealthAllDto | string> {
    const health = await this.health.check();
    if (query.format === 'text') {
      void reply.header('content-type', 'text/plain; charset=utf-8');
      return healthAsText(health);
    }
    return health;
  }
}
