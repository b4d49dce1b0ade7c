import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * Environment every service reads. An app extends it with its own fields; the whole class is validated
 * at boot and a process with an invalid environment stops before opening a port.
 */
export class BaseEnv {
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT?: number;

  @IsString()
  HOST = '127.0.0.1';

  @Matches(/^v\d+$/, { message: 'VERSION must look like v1, v2, …' })
  VERSION = 'v1';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Time between failing readiness and closing the server on SIGTERM (a Kubernetes probe period). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_DELAY_MS = 0;

  /** Default timeout of calls to other services (generated clients). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600_000)
  HTTP_TIMEOUT_MS = 10_000;

  /** Largest request body accepted; larger bodies get 413. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  BODY_LIMIT_BYTES = 8 * 1024 * 1024;

  /** Bearer token of this replica's `/chaos` API; unset = every `/chaos` call is refused (docs/resilience.md). */
  @IsOptional()
  @IsString()
  @MinLength(8)
  @Matches(/^\S+$/, { message: 'CHAOS_ADMIN_TOKEN must not contain spaces' })
  CHAOS_ADMIN_TOKEN?: string;

  /** `none`: one attempt per call, HTTP_TIMEOUT_MS; `client`: the RESILIENCE_* policies below (docs/resilience.md). */
  @IsIn(['none', 'client'])
  RESILIENCE: 'none' | 'client' = 'none';

  /** client mode: timeout of one attempt (a call may override it with its own `timeout`). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600_000)
  RESILIENCE_TIMEOUT_MS = 2_000;

  /** client mode: retries after the first attempt of an idempotent call (0 = none). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10)
  RESILIENCE_RETRIES = 3;

  /** client mode: first backoff delay; it grows exponentially with decorrelated jitter. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60_000)
  RESILIENCE_BACKOFF_MS = 50;

  /** client mode: largest backoff delay (also caps a honoured Retry-After). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  RESILIENCE_BACKOFF_MAX_MS = 2_000;

  /** client mode: consecutive failed calls to one target that open its circuit breaker (0 = no breaker). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  RESILIENCE_BREAKER_THRESHOLD = 5;

  /** client mode: how long an open breaker fails fast before it lets one trial call through (half-open). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600_000)
  RESILIENCE_BREAKER_HALF_OPEN_MS = 5_000;

  /** client mode: concurrent calls to one target (0 = no bulkhead). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100_000)
  RESILIENCE_BULKHEAD = 32;

  /** client mode: calls that may wait for a bulkhead slot; beyond them a call is rejected at once. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  RESILIENCE_BULKHEAD_QUEUE = 64;
}

export { toInt };
