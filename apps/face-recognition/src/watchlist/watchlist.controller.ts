import { Body, Controller, Delete, Get, Header, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { CallerOnly, OperatorOnly, OperatorOrCaller, imageFromBody } from '@airport-mesh/platform';
import { EnrolPersonDto, ImageRequestDto, MatchRequestDto, PersonDto, RecognitionDto } from './watchlist.dto.js';
import { WatchlistService } from './watchlist.service.js';

@ApiTags('watch list')
@Controller()
export class WatchlistController {
  constructor(private readonly watchlist: WatchlistService) {}

  /** Persons of interest recognised in the image (faces at or above the similarity threshold). */
  @Post('recognize')
  @OperatorOrCaller('collector')
  @HttpCode(200)
  @ApiConsumes('application/json', 'image/jpeg', 'image/png')
  @ApiBody({
    type: ImageRequestDto,
    description: 'JSON {"image": base64}, or the raw image bytes with their content type',
  })
  @ApiOkResponse({ type: RecognitionDto })
  @ApiBadRequestResponse({ description: 'Empty body or no base64 image (problem+json)' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not a JPEG or PNG (problem+json)' })
  recognizeImage(@Body() body: unknown): Promise<RecognitionDto> {
    return this.watchlist.recognize(imageFromBody(body));
  }

  /**
   * Persons of interest among faces already described by image-analysis (`POST /analyze?descriptors=true`):
   * matching only, no model run, so a frame's faces go through FaceRes once.
   */
  @Post('match')
  @CallerOnly('collector')
  @HttpCode(200)
  @ApiOkResponse({ type: RecognitionDto })
  @ApiBadRequestResponse({ description: 'Invalid faces or descriptors (problem+json)' })
  matchFaces(@Body() body: MatchRequestDto): RecognitionDto {
    return this.watchlist.match(body.faces.map((f) => ({ box: f.box, descriptor: decodeDescriptor(f.descriptor) })));
  }

  /** Enrols a person from one or more photos, each showing exactly one face. */
  @Post('persons')
  @OperatorOnly()
  @ApiCreatedResponse({ type: PersonDto })
  @ApiBadRequestResponse({ description: 'Invalid request (problem+json)' })
  @ApiUnsupportedMediaTypeResponse({ description: 'A photo is not a JPEG or PNG (problem+json)' })
  @ApiUnprocessableEntityResponse({ description: 'A photo shows no face or several faces, or is truncated' })
  createPerson(@Body() body: EnrolPersonDto): Promise<PersonDto> {
    return this.watchlist.enrol(
      body.name,
      body.images.map((b) => Buffer.from(b, 'base64')),
    );
  }

  @Get('persons')
  @ApiOkResponse({ type: [PersonDto] })
  listPersons(): PersonDto[] {
    return this.watchlist.list();
  }

  @Get('persons/:id')
  @ApiOkResponse({ type: PersonDto })
  @ApiNotFoundResponse({ description: 'No such person' })
  getPerson(@Param('id', new ParseUUIDPipe()) id: string): PersonDto {
    return this.watchlist.get(id);
  }

  @Get('persons/:id/thumbnail')
  @OperatorOnly()
  @Header('content-type', 'image/jpeg')
  @Header('cache-control', 'private, max-age=3600')
  @ApiProduces('image/jpeg')
  @ApiOkResponse({ description: 'Face thumbnail, JPEG 112×112' })
  @ApiNotFoundResponse({ description: 'No such person' })
  getPersonThumbnail(@Param('id', new ParseUUIDPipe()) id: string): Buffer {
    return this.watchlist.thumbnail(id);
  }

  @Delete('persons/:id')
  @OperatorOnly()
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Removed from the watch list' })
  @ApiNotFoundResponse({ description: 'No such person' })
  deletePerson(@Param('id', new ParseUUIDPipe()) id: string): void {
    this.watchlist.remove(id);
  }
}

function decodeDescriptor(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const aligned = new Uint8Array(bytes); // copy: Float32Array needs 4-byte alignment
  return new Float32Array(aligned.buffer, 0, 1024);
}
