import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OperatorOrCaller } from '@airport-mesh/platform';
import { CameraCountersDto, CameraStateDto, StartStreamDto } from './stream.dto.js';
import { StreamService } from './stream.service.js';

@ApiTags('camera')
@Controller()
export class StreamController {
  constructor(private readonly stream: StreamService) {}

  /** The seeds' camera state: streaming, cycle, fps, section, destination, event. */
  @Get('state')
  @ApiOkResponse({ type: CameraStateDto })
  getState(): CameraStateDto {
    return this.stream.state();
  }

  /** Starts streaming (or restarts with new settings). */
  @Post('stream')
  @OperatorOrCaller('cpanel')
  @HttpCode(200)
  @ApiOkResponse({ type: CameraStateDto })
  @ApiBadRequestResponse({ description: 'Invalid settings (problem+json)' })
  startStream(@Body() body: StartStreamDto): Promise<CameraStateDto> {
    return this.stream.startOrRestart(body);
  }

  /** Stops streaming after the frame in flight. */
  @Delete('stream')
  @OperatorOrCaller('cpanel')
  @ApiOkResponse({ type: CameraStateDto })
  stopStream(): Promise<CameraStateDto> {
    return this.stream.stop();
  }

  /** What this camera sent and what the collector acknowledged. */
  @Get('counters')
  @ApiOkResponse({ type: CameraCountersDto })
  getCounters(): CameraCountersDto {
    return this.stream.stats();
  }
}
