import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { CallerOnly, imageFromBody } from '@airport-mesh/platform';
import { AnalysisDto, AnalyzeQueryDto, ImageRequestDto } from './analysis.dto.js';
import { AnalysisService } from './analysis.service.js';

@ApiTags('analysis')
@Controller()
export class AnalysisController {
  constructor(private readonly analysis: AnalysisService) {}

  /** Faces in the image with gender and age of each; personCount counts them. */
  @Post('analyze')
  @CallerOnly('collector')
  @HttpCode(200)
  @ApiConsumes('application/json', 'image/jpeg', 'image/png', 'image/webp')
  @ApiBody({
    type: ImageRequestDto,
    description: 'JSON {"image": base64}, or the raw image bytes with their content type',
  })
  @ApiOkResponse({ type: AnalysisDto })
  @ApiBadRequestResponse({ description: 'Empty body, or JSON without a base64 image (problem+json)' })
  @ApiPayloadTooLargeResponse({ description: 'Body over the limit, or an image with too many pixels' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not an image, or a content type that is not accepted' })
  @ApiUnprocessableEntityResponse({ description: 'Truncated or corrupt image' })
  analyzeImage(@Body() body: unknown, @Query() query: AnalyzeQueryDto): Promise<AnalysisDto> {
    return this.analysis.analyze(imageFromBody(body), query.descriptors ?? false);
  }
}
