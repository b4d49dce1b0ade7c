import { Body, Controller, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CallerOnly, imageFromBody } from '@airport-mesh/platform';
import { AdmissionError } from '@airport-mesh/vision';
import { AnalysisDto, AnalyzeQueryDto, ImageRequestDto } from './analysis.dto.js';
import { AnalysisService } from './analysis.service.js';

@ApiTags('analysis')
@ApiExtraModels(ImageRequestDto)
@Controller()
export class AnalysisController {
  constructor(private readonly analysis: AnalysisService) {}

  /** Faces in the image with gender and age of each; personCount counts them. */
  @Post('analyze')
  @CallerOnly('collector')
  @HttpCode(200)
  @ApiConsumes('application/json', 'image/jpeg', 'image/png', 'image/webp')
  @ApiBody({
    // the raw bytes are the cheaper form (no base64, no JSON): what the collector sends
    schema: { oneOf: [{ $ref: getSchemaPath(ImageRequestDto) }, { type: 'string', format: 'binary' }] },
    description: 'The raw image bytes with their content type, or JSON {"image": base64}',
  })
  @ApiOkResponse({ type: AnalysisDto })
  @ApiBadRequestResponse({ description: 'Empty body, or JSON without a base64 image (problem+json)' })
  @ApiPayloadTooLargeResponse({ description: 'Body over the limit, or an image with too many pixels' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not an image, or a content type that is not accepted' })
  @ApiUnprocessableEntityResponse({ description: 'Truncated or corrupt image' })
  @ApiServiceUnavailableResponse({
    description:
      'Overloaded: every analyser is busy and the queue is full, or the request waited past its deadline (problem+json, Retry-After)',
  })
  async analyzeImage(
    @Body() body: unknown,
    @Query() query: AnalyzeQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AnalysisDto> {
    const image = imageFromBody(body);
    const socket = request.raw.socket;
    try {
      // work whose caller has hung up is dropped before a worker starts it
      return await this.analysis.analyze(image, query.descriptors ?? false, { isGone: () => socket.destroyed });
    } catch (error) {
      const shed = (error as { cause?: unknown }).cause;
      if (shed instanceof AdmissionError) void reply.header('retry-after', String(shed.retryAfterSeconds));
      throw error;
    }
  }
}
