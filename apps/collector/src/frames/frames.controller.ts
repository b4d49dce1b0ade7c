import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CallerOnly } from '@airport-mesh/platform';
import { CreateFrameDto, FrameAckDto } from './frame.dto.js';
import { FramesService } from './frames.service.js';

@ApiTags('frames')
@Controller('frames')
export class FramesController {
  constructor(private readonly frames: FramesService) {}

  /** Takes one camera frame; answers only after its statistics are stored in its section. */
  @Post()
  @CallerOnly('camera-agent')
  @HttpCode(201)
  @ApiCreatedResponse({ type: FrameAckDto, description: 'Stored by the section: acknowledged' })
  @ApiBadRequestResponse({ description: 'Invalid JSON or fields (problem+json)' })
  @ApiConflictResponse({ description: 'Another frame is stored under this frame id; nothing stored (problem+json)' })
  @ApiUnprocessableEntityResponse({
    description:
      'Not a JPEG, truncated or corrupt (also as the analyser said it, with its status: 413, 415, 422), or unknown section',
  })
  @ApiBadGatewayResponse({ description: 'The section could not store it; not acknowledged, send it again' })
  @ApiServiceUnavailableResponse({
    description:
      'As many frames as the door admits at once are being handled (FRAMES_MAX_IN_FLIGHT, or the adaptive limit of ' +
      'FRAMES_TARGET_LATENCY_MS): refused before the body is parsed, with Retry-After; ' +
      'not acknowledged, send it again later (problem+json)',
  })
  postFrame(@Body() frame: CreateFrameDto): Promise<FrameAckDto> {
    return this.frames.accept(frame);
  }
}
