import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '@airport-mesh/contracts';
import { problem } from './problem.js';
import { type StorageFaults, storageFaultOf } from '../storage/storage-faults.js';

/** Fastify's own errors (body parsing, limits, content types) carry a statusCode and a code. */
interface FastifyishError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * Turns every error into one `application/problem+json` body (RFC 9457). Known HTTP errors keep their
 * status and message; anything unexpected becomes a 500 whose details stay in the log.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  constructor(private readonly storage?: StorageFaults) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    if (isHealthReport(error)) {
      // Terminus's 503 report (which checks are down) is the body probes and operators expect.
      void reply.status(error.getStatus()).send(error.getResponse());
      return;
    }
    const fault = storageFaultOf(error);
    if (fault) {
      const reason = storageReason(error);
      // The store, not the request, is at fault: 503 (try again, elsewhere), and readiness goes down.
      this.storage?.note(fault, reason);
      this.logger.error({ url: request.url, fault }, `storage ${fault}: ${reason}`);
      const body = problem(503, `storage unavailable (${fault}); nothing was stored, try again later`, {
        instance: request.url,
        type: 'urn:airport-mesh:storage',
      });
      void reply.status(503).header('retry-after', '5').header('content-type', PROBLEM_CONTENT_TYPE).send(body);
      return;
    }
    const body = this.toProblem(error, request.url);
    // A dependency that is down (502/503) is an expected condition for a resilient service: warn.
    if (body.status === 502 || body.status === 503) this.logger.warn({ url: request.url }, body.detail);
    else if (body.status >= 500) this.logger.error({ err: error, url: request.url }, body.detail);
    void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }

  toProblem(error: unknown, instance: string): ProblemDetails {
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const response = error.getResponse();
      if (typeof response === 'object' && response && 'status' in response && 'detail' in response) {
        return { ...(response as ProblemDetails), instance };
      }
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? (response as { message: string[] }).message.join('; ')
            : String((response as { message?: unknown }).message ?? error.message);
      return problem(status, message, { instance });
    }
    const fe = error as FastifyishError;
    if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return problem(fe.statusCode, fe.message ?? 'Bad request', {
        instance,
        type: fe.code ? `urn:fastify:${fe.code}` : 'about:blank',
      });
    }
    return problem(500, 'Internal error; see the service log', { instance });
  }
}

function isHealthReport(error: unknown): error is HttpException {
  if (!(error instanceof HttpException)) return false;
  const response = error.getResponse();
  return (
    typeof response === 'object' &&
    response !== null &&
    'details' in response &&
    typeof (response as { status?: unknown }).status === 'string'
  );
}

function storageReason(error: unknown): string {
  const e = error as { message?: unknown; errstr?: unknown; code?: unknown };
  return [e.message, e.errstr, e.code].find((v) => typeof v === 'string' && v.length > 0) as string;
}
