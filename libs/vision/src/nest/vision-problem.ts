import { HttpException } from '@nestjs/common';
import { problem } from '@airport-mesh/platform';
import { VisionError } from '../errors.js';

/** Maps a typed vision error (bad image, models missing) to the service's problem response. */
export function toHttpError(error: unknown): unknown {
  if (error instanceof VisionError) {
    return new HttpException(
      problem(error.httpStatus, error.message, { type: `urn:airport-mesh:vision:${error.code.toLowerCase()}` }),
      error.httpStatus,
    );
  }
  return error;
}
