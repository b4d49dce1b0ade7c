import { HttpException } from '@nestjs/common';
import { problem } from '@airport-mesh/platform';
import { VisionError } from '../errors.js';
import { AdmissionError } from '../pool/analyzer-pool.js';

/**
 * Maps a typed vision error (bad image, models missing) or a shed request (queue full, deadline
 * passed) to the service's problem response. The caller sets Retry-After from the AdmissionError's
 * `retryAfterSeconds`.
 */
export function toHttpError(error: unknown): unknown {
  if (error instanceof VisionError) {
    return new HttpException(
      problem(error.httpStatus, error.message, { type: `urn:airport-mesh:vision:${error.code.toLowerCase()}` }),
      error.httpStatus,
    );
  }
  if (error instanceof AdmissionError) {
    return new HttpException(
      problem(503, error.message, { type: `urn:airport-mesh:vision:${error.reason.replace('_', '-')}` }),
      503,
      { cause: error },
    );
  }
  return error;
}
