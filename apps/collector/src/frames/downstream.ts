import { isAxiosError } from 'axios';

/**
 * A service the collector calls refused the frame itself (a 4xx other than 408/429): the frame is bad,
 * sending it again will not help, and the camera is told so with the same status (never a 502).
 */
export class DownstreamRefusedError extends Error {
  constructor(
    readonly service: string,
    readonly status: number,
    readonly detail: string,
  ) {
    super(`${service} refused the frame: HTTP ${status}${detail ? ` ${detail}` : ''}`);
  }
}

/** The refusal in `error`, when it is one; a transient failure (no answer, 5xx, 408, 429) is not. */
export function refusal(service: string, error: unknown): DownstreamRefusedError | null {
  if (!isAxiosError(error) || !error.response) return null;
  const { status, data } = error.response;
  if (status < 400 || status >= 500 || status === 408 || status === 429) return null;
  const detail = (data as { detail?: unknown } | undefined)?.detail;
  return new DownstreamRefusedError(service, status, typeof detail === 'string' ? detail.slice(0, 300) : '');
}

export function describeHttpError(error: unknown): string {
  if (isAxiosError(error)) {
    if (error.response) return `HTTP ${error.response.status}`;
    return error.code ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
