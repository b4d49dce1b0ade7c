import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CallerOnly, OperatorOnly } from '@airport-mesh/platform';
import {
  AnalysisAcceptedDto,
  AnalysisViewDto,
  CreateAnalysisDto,
  LatestAnalysesDto,
  PhotoQueryDto,
  SectionParamDto,
} from './live.dto.js';
import { LiveService } from './live.service.js';

@ApiTags('analysis')
@Controller('analysis')
export class AnalysisController {
  constructor(private readonly live: LiveService) {}

  /**
   * The latest analysis of a frame (seed 000), pushed by the collector after the section stored it.
   * It becomes its section's latest unless a newer frame is shown already; open dashboards update at once.
   */
  @Post()
  @CallerOnly('collector')
  @HttpCode(200)
  @ApiOkResponse({ type: AnalysisAcceptedDto })
  @ApiBadRequestResponse({ description: 'Invalid analysis (problem+json)' })
  @ApiUnprocessableEntityResponse({ description: 'The image is not a JPEG (problem+json)' })
  postAnalysis(@Body() body: CreateAnalysisDto): AnalysisAcceptedDto {
    return this.live.acceptAnalysis(body);
  }

  /** The latest analysis of each section. */
  @Get()
  @ApiOkResponse({ type: LatestAnalysesDto })
  getAnalysis(): LatestAnalysesDto {
    return { items: this.live.latestAnalyses() };
  }

  /** The latest analysis of one section. */
  @Get(':section')
  @ApiOkResponse({ type: AnalysisViewDto })
  @ApiNotFoundResponse({ description: 'No analysis of that section yet (problem+json)' })
  getSectionAnalysis(@Param() params: SectionParamDto): AnalysisViewDto {
    return this.live.latestAnalysis(params.section);
  }

  /** v2: the JPEG of the section's latest photo. */
  @Get(':section/photo')
  @OperatorOnly()
  @Header('content-type', 'image/jpeg')
  @Header('cache-control', 'no-store')
  @ApiProduces('image/jpeg')
  @ApiOkResponse({ description: 'The JPEG', schema: { type: 'string', format: 'binary' } })
  @ApiNotFoundResponse({ description: 'No photo (v1, or none yet) (problem+json)' })
  getSectionPhoto(@Param() params: SectionParamDto, @Query() _query: PhotoQueryDto): StreamableFile {
    return new StreamableFile(this.live.photo(params.section));
  }
}
