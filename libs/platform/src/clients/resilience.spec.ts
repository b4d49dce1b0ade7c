import { AxiosError, AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { isBreakerFailure, isIdempotent, isRetryable, retryAfterMs } from './resilience.js';

const config = (method: string, headers: Record<string, string> = {}): InternalAxiosRequestConfig => ({
  method,
  headers: new AxiosHeaders(headers),
});
const answered = (status: number, headers: Record<string, string> = {}) =>
  new AxiosError('x', 'ERR_BAD_RESPONSE', config('get'), undefined, {
    status,
    headers: new AxiosHeaders(headers),
    data: '',
    statusText: '',
    config: config('get'),
  } as AxiosResponse);

describe('which calls the client-side policies retry', () => {
  it('treats GET/HEAD/OPTIONS/PUT/DELETE as idempotent, POST/PATCH only with a key or an idempotent client', () => {
    for (const m of ['get', 'HEAD', 'options', 'put', 'delete']) expect(isIdempotent(config(m), false)).toBe(true);
    expect(isIdempotent(config('post'), false)).toBe(false);
    expect(isIdempotent(config('patch'), false)).toBe(false);
    expect(isIdempotent(config('post', { 'Idempotency-Key': 'cam-1:7' }), false)).toBe(true);
    expect(isIdempotent(config('post'), true)).toBe(true);
  });

  it('retries 429/502/503/504 and no-answer failures, never another status or a cancel', () => {
    for (const s of [429, 502, 503, 504]) expect(isRetryable(answered(s), true)).toBe(true);
    for (const s of [400, 401, 404, 409, 422, 500, 501]) expect(isRetryable(answered(s), true)).toBe(false);
    expect(isRetryable(new AxiosError('reset', 'ECONNRESET', config('get')), true)).toBe(true);
    expect(isRetryable(new AxiosError('timeout', 'ECONNABORTED', config('get')), true)).toBe(true);
    expect(isRetryable(new AxiosError('canceled', 'ERR_CANCELED', config('get')), true)).toBe(false);
    expect(isRetryable(new Error('not axios'), true)).toBe(false);
    // not idempotent: only a refused connection (nothing was sent)
    expect(isRetryable(answered(503), false)).toBe(false);
    expect(isRetryable(new AxiosError('reset', 'ECONNRESET', config('post')), false)).toBe(false);
    expect(isRetryable(new AxiosError('refused', 'ECONNREFUSED', config('post')), false)).toBe(true);
  });

  it('counts 5xx and no-answer failures against the breaker, not 4xx', () => {
    expect(isBreakerFailure(answered(500))).toBe(true);
    expect(isBreakerFailure(answered(503))).toBe(true);
    expect(isBreakerFailure(new AxiosError('refused', 'ECONNREFUSED'))).toBe(true);
    expect(isBreakerFailure(answered(404))).toBe(false);
    expect(isBreakerFailure(answered(429))).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date, on 429 and 503 only', () => {
    expect(retryAfterMs(answered(429, { 'retry-after': '2' }))).toBe(2000);
    const now = Date.parse('2026-01-05T10:00:00Z');
    expect(retryAfterMs(answered(503, { 'retry-after': 'Mon, 05 Jan 2026 10:00:03 GMT' }), now)).toBe(3000);
    expect(retryAfterMs(answered(502, { 'retry-after': '2' }))).toBe(0);
    expect(retryAfterMs(answered(429, { 'retry-after': 'soon' }))).toBe(0);
    expect(retryAfterMs(answered(429))).toBe(0);
  });
});
