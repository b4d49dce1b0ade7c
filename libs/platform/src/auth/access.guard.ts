import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  SetMetadata,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem } from '../problem/problem.js';
import { AuthService } from './auth.service.js';
import type { Caller } from './keys.js';

/** Who may use a route: a person with the operator credential, and/or the listed services. */
export interface AccessRule {
  operator: boolean;
  callers: readonly Caller[];
}

const ACCESS = Symbol('airport-mesh:access');

/**
 * Checks the route's {@link AccessRule} (docs/security.md). With `AUTH=mesh` a route open to callers
 * is left to the mesh's AuthorizationPolicies; the operator credential is checked in both modes.
 * 401 (with `WWW-Authenticate`) when no or a wrong credential came, 403 when a valid one is not allowed
 * here or the route's credential is not configured on this replica. Nothing is logged of a credential.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (rule.callers.length && this.auth.mode === 'mesh') return true;
    const outcomes: string[] = [];
    if (rule.operator) {
      const result = await this.auth.checkOperator(request.headers);
      if (result === 'ok') {
        if (!sameOrigin(request)) throw new ForbiddenException(problem(403, 'cross-origin request refused'));
        return true;
      }
      outcomes.push(result);
    }
    if (rule.callers.length) {
      const path = request.url.split('?', 1)[0];
      const check = await this.auth.checkCaller(request.headers.authorization, request.method, path, rule.callers);
      if (check.result === 'ok') return true;
      outcomes.push(check.result);
    }
    const who = [
      rule.operator ? 'the operator credential' : '',
      rule.callers.length ? `a token of ${rule.callers.join(' or ')}` : '',
    ]
      .filter(Boolean)
      .join(', or ');
    if (outcomes.includes('forbidden'))
      throw new ForbiddenException(
        problem(403, `this caller may not use ${request.method} ${request.routeOptions?.url ?? ''}`),
      );
    if (outcomes.every((o) => o === 'disabled'))
      throw new ForbiddenException(problem(403, 'operator credential not configured on this service (OPERATOR_TOKEN)'));
    void reply.header('www-authenticate', 'Bearer realm="airport-mesh"');
    const wrong = outcomes.includes('invalid');
    throw new UnauthorizedException(problem(401, `${wrong ? 'invalid' : 'missing'} credential: this needs ${who}`));
  }
}

/** A state-changing request carried by the session cookie must come from a page of this origin. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin || request.method === 'GET' || request.method === 'HEAD') return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function access(rule: AccessRule) {
  return applyDecorators(
    SetMetadata(ACCESS, rule),
    UseGuards(AccessGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'No or an invalid credential (problem+json)' }),
    ApiForbiddenResponse({ description: 'The credential is not allowed here (problem+json)' }),
  );
}

/** Only a person with the operator credential (a state-changing or face-image route). */
export const OperatorOnly = () => access({ operator: true, callers: [] });

/** Only the given services (an internal write), by their signed tokens (or the mesh, with AUTH=mesh). */
export const CallerOnly = (...callers: Caller[]) => access({ operator: false, callers });

/** The operator, or one of the given services acting for the operator (camera control through cpanel). */
export const OperatorOrCaller = (...callers: Caller[]) => access({ operator: true, callers });
