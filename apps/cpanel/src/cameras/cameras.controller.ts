import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { OperatorOnly } from '@airport-mesh/platform';
import { CameraDto, CameraParamDto, CamerasDto, StartCameraDto } from './cameras.dto.js';
import { CamerasService } from './cameras.service.js';

@ApiTags('cameras')
@Controller('cameras')
export class CamerasController {
  constructor(private readonly cameras: CamerasService) {}

  /** The cameras of the cameras file, with each one's last known state. */
  @Get()
  @ApiOkResponse({ type: CamerasDto })
  listCameras(): CamerasDto {
    return this.cameras.list();
  }

  /** Re-reads the cameras file (seed 000). An invalid file is refused and the cameras in use are kept. */
  @Post('reload')
  @OperatorOnly()
  @HttpCode(200)
  @ApiOkResponse({ type: CamerasDto })
  @ApiUnprocessableEntityResponse({
    description: 'The file is invalid; nothing changed (problem+json, `errors` lists each problem)',
  })
  reloadCameras(): Promise<CamerasDto> {
    return this.cameras.reload();
  }

  /** One camera's state, read from the camera now (seed 000: `/cameras/1/state`). */
  @Get(':id/state')
  @ApiOkResponse({ type: CameraDto })
  @ApiNotFoundResponse({ description: 'No such camera (problem+json)' })
  @ApiBadGatewayResponse({ description: 'The camera did not answer (problem+json)' })
  getCameraState(@Param() params: CameraParamDto): Promise<CameraDto> {
    return this.cameras.state(params.id);
  }

  /** Starts a camera streaming (optionally at another fps, or for a number of frames). */
  @Post(':id/start')
  @OperatorOnly()
  @HttpCode(200)
  @ApiOkResponse({ type: CameraDto })
  @ApiBadRequestResponse({ description: 'Invalid options (problem+json)' })
  @ApiNotFoundResponse({ description: 'No such camera (problem+json)' })
  @ApiBadGatewayResponse({ description: 'The camera did not answer (problem+json)' })
  startCamera(@Param() params: CameraParamDto, @Body() body: StartCameraDto = {}): Promise<CameraDto> {
    return this.cameras.start(params.id, body ?? {});
  }

  /** Stops a camera. */
  @Post(':id/stop')
  @OperatorOnly()
  @HttpCode(200)
  @ApiOkResponse({ type: CameraDto })
  @ApiNotFoundResponse({ description: 'No such camera (problem+json)' })
  @ApiBadGatewayResponse({ description: 'The camera did not answer (problem+json)' })
  stopCamera(@Param() params: CameraParamDto): Promise<CameraDto> {
    return this.cameras.stop(params.id);
  }
}
