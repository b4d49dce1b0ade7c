/**
 * The one error body every service returns for a 4xx or 5xx (RFC 9457, `application/problem+json`).
 * `errors` lists each rejected field when validation failed.
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: string[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
