import { HttpStatus } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE, type ProblemDetails } from '@airport-mesh/contracts';

export function problem(status: number, detail: string, extra: Partial<ProblemDetails> = {}): ProblemDetails {
  const title = (HttpStatus[status] ?? 'Error')
    .toString()
    .toLowerCase()
    .replace(/(^|_)(\w)/g, (_m, sep: string, c: string) => (sep ? ' ' : '') + c.toUpperCase());
  return { type: 'about:blank', title, status, detail, ...extra };
}

export { PROBLEM_CONTENT_TYPE };
