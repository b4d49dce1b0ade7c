import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CallerOnly } from '@airport-mesh/platform';
import type { FastifyReply } from 'fastify';
import {
  CreateStatisticsDto,
  ListStatisticsQueryDto,
  StatisticsPageDto,
  StoreResultDto,
  SummaryDto,
  SummaryQueryDto,
} from './statistics.dto.js';
import { StatisticsService } from './statistics.service.js';

@ApiTags('statistics')
@Controller()
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  /**
   * Stores one frame's statistics. Idempotent by frame id: 201 the first time, 200 for a repeat of the
   * same frame, 409 for another frame under a stored id.
   */
  @Post('statistics')
  @CallerOnly('collector')
  @HttpCode(201)
  @ApiCreatedResponse({ type: StoreResultDto, description: 'Stored' })
  @ApiOkResponse({ type: StoreResultDto, description: 'Already stored (duplicate delivery), nothing changed' })
  @ApiBadRequestResponse({ description: 'Invalid record (problem+json)' })
  @ApiConflictResponse({ description: 'The frame id is stored with other content; nothing changed (problem+json)' })
  @ApiUnprocessableEntityResponse({ description: 'The frame belongs to another section' })
  storeStatistics(@Body() body: CreateStatisticsDto, @Res({ passthrough: true }) reply: FastifyReply): StoreResultDto {
    const result = this.statistics.store(body);
    if (result.duplicate) void reply.status(200);
    return result;
  }

  /** Stored records, newest frame first. */
  @Get('statistics')
  @ApiOkResponse({ type: StatisticsPageDto })
  listStatistics(@Query() query: ListStatisticsQueryDto): StatisticsPageDto {
    return this.statistics.list(query.limit, query.offset);
  }

  /** Occupancy, entries/exits, gender split and age histogram, optionally over a recent window. */
  @Get('summary')
  @ApiOkResponse({ type: SummaryDto })
  getSummary(@Query() query: SummaryQueryDto): SummaryDto {
    return this.statistics.summary(query.windowSeconds);
  }
}
