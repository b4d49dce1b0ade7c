import {
  Body,
  type CanActivate,
  Controller,
  Delete,
  type ExecutionContext,
  ForbiddenException,
  Get,
  Injectable,
  Put,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem } from '../problem/problem.js';
import { ChaosSettingsDto, ChaosStateDto } from './chaos.dto.js';
import { ChaosService } from './chaos.service.js';

/** `Authorization: Bearer <CHAOS_ADMIN_TOKEN>`; no token configured = the API is off (403). */
@Injectable()
export class ChaosAuthGuard implements CanActivate {
  constructor(private readonly chaos: ChaosService) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const result = this.chaos.authorize(http.getRequest<FastifyRequest>().headers.authorization);
    if (result === 'disabled') throw new ForbiddenException(problem(403, 'chaos API disabled: set CHAOS_ADMIN_TOKEN'));
    if (result === 'unauthorized') {
      void http.getResponse<FastifyReply>().header('www-authenticate', 'Bearer realm="chaos"');
      throw new UnauthorizedException(
        problem(401, 'chaos API: missing or wrong bearer token (Authorization: Bearer <CHAOS_ADMIN_TOKEN>)'),
      );
    }
    return true;
  }
}

@ApiTags('chaos')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token (problem+json)' })
@ApiForbiddenResponse({
  description: 'chaos API disabled: CHAOS_ADMIN_TOKEN is not set on this replica (problem+json)',
})
@UseGuards(ChaosAuthGuard)
@Controller('chaos')
export class ChaosController {
  constructor(private readonly chaos: ChaosService) {}

  /** This replica's injected faults, and how many were injected since they were set. */
  @Get()
  @ApiOkResponse({ type: ChaosStateDto })
  getChaos(): ChaosStateDto {
    return this.chaos.state();
  }

  /** Replaces this replica's faults (omitted fields take their defaults); the fault sequence restarts from the seed. */
  @Put()
  @ApiOkResponse({ type: ChaosStateDto, description: 'The faults now in force' })
  @ApiBadRequestResponse({ description: 'Invalid or unknown fields (problem+json)' })
  setChaos(@Body() settings: ChaosSettingsDto): ChaosStateDto {
    return this.chaos.set(settings);
  }

  /** Removes every fault of this replica. */
  @Delete()
  @ApiOkResponse({ type: ChaosStateDto, description: 'No faults' })
  resetChaos(): ChaosStateDto {
    return this.chaos.reset();
  }
}
