import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ServiceIdentity } from './service-identity.js';

@ApiTags('status')
@Controller()
export class StatusController {
  constructor(private readonly identity: ServiceIdentity) {}

  /** The seeds' status line, e.g. `Collector v1 : Online`. */
  @Get('status')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'e.g. `Collector v1 : Online`',
    schema: { type: 'string', example: 'Collector v1 : Online' },
  })
  status(): string {
    return this.identity.statusLine;
  }
}
