import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CallerOnly } from '@airport-mesh/platform';
import type { FastifyReply } from 'fastify';
import {
  AlertDto,
  AlertsPageDto,
  CreateAlertDto,
  LatestAlertQueryDto,
  ListAlertsQueryDto,
  StoreAlertResultDto,
} from './alerts.dto.js';
import { AlertsService } from './alerts.service.js';

@ApiTags('alerts')
@Controller('alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  /**
   * Stores an alert. Idempotent by frame id + person id: 201 the first time, 200 for a repeat (same
   * body shape, the alert as first stored), 409 when another frame's alert holds the frame id and person.
   * A configured webhook is called afterwards, in the background.
   */
  @Post()
  @CallerOnly('collector')
  @HttpCode(201)
  @ApiCreatedResponse({ type: StoreAlertResultDto, description: 'Stored' })
  @ApiOkResponse({ type: StoreAlertResultDto, description: 'Already stored (duplicate delivery), nothing changed' })
  @ApiBadRequestResponse({ description: 'Invalid alert (problem+json)' })
  @ApiConflictResponse({ description: 'The frame id and person are stored with another frame (problem+json)' })
  storeAlert(@Body() body: CreateAlertDto, @Res({ passthrough: true }) reply: FastifyReply): StoreAlertResultDto {
    const result = this.alerts.store(body);
    if (result.duplicate) void reply.status(200);
    this.alerts.notify(result);
    return result;
  }

  /** Stored alerts, newest frame first: `?limit&offset`, or `?limit&cursor=<nextCursor>`. */
  @Get()
  @ApiOkResponse({ type: AlertsPageDto })
  @ApiBadRequestResponse({ description: 'Invalid paging (problem+json)' })
  listAlerts(@Query() query: ListAlertsQueryDto): AlertsPageDto {
    return this.alerts.list(query);
  }

  /** The newest alert (by frame time). */
  @Get('latest')
  @ApiOkResponse({ type: AlertDto })
  @ApiNotFoundResponse({ description: 'No alert yet (problem+json)' })
  getLatestAlert(@Query() query: LatestAlertQueryDto): AlertDto {
    return this.alerts.latest(query.section);
  }
}
