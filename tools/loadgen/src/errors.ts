/** Why a run could not start or had to stop. Every message names the offending value and what to do. */
export type LoadgenErrorCode =
  | 'INVALID_OPTIONS' // an option is missing, malformed or out of bounds
  | 'TARGET_NOT_ALLOWED' // a non-loopback target without allowRemote
  | 'TARGET_UNREACHABLE' // the reachability check before the run could not connect
  | 'REQUEST_FACTORY_FAILED'; // the body factory threw, or produced an invalid header

export class LoadgenError extends Error {
  override readonly name = 'LoadgenError';
  constructor(
    readonly code: LoadgenErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The kinds a failed request is counted under (`errors` in the result). */
export type ErrorKind = 'timeout' | 'connectionRefused' | 'connectionReset' | 'other';

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ECONNABORTED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** The error's code (`ECONNREFUSED`, …), or its name when it has none. */
export function errorCode(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code) return code;
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && name) return name;
  }
  return 'UNKNOWN';
}

/** Sorts a request's failure into one kind. `timedOut` is set when our own per-request timer fired. */
export function classifyError(err: unknown, timedOut = false): ErrorKind {
  if (timedOut) return 'timeout';
  const code = errorCode(err);
  if (code === 'ECONNREFUSED') return 'connectionRefused';
  if (RESET_CODES.has(code)) return 'connectionReset';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  return 'other';
}
