import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CallerOnly } from '@airport-mesh/platform';
import { AlertAcceptedDto, AlertViewDto, CreateAlertDto } from './live.dto.js';
import { LiveService } from './live.service.js';

@ApiTags('alert')
@Controller('alert')
export class AlertController {
  constructor(private readonly live: LiveService) {}

  /** The latest alert (seed 000), pushed by the collector after the alerts service stored it. */
  @Post()
  @CallerOnly('collector')
  @HttpCode(200)
  @ApiOkResponse({ type: AlertAcceptedDto })
  @ApiBadRequestResponse({ description: 'Invalid alert (problem+json)' })
  postAlert(@Body() body: CreateAlertDto): AlertAcceptedDto {
    return this.live.acceptAlert(body);
  }

  /** The latest alert (read through from the alerts service when cpanel has none yet). */
  @Get()
  @ApiOkResponse({ type: AlertViewDto })
  @ApiNotFoundResponse({ description: 'No alert yet (problem+json)' })
  getAlert(): Promise<AlertViewDto> {
    return this.live.latestAlert();
  }
}
