import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * Environment every service reads. An app extends it with its own fields; the whole class is validated
 * at boot and a process with an invalid environment stops before opening a port.
 */
export class BaseEnv {
  @IsOptional() @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT?: number;

  @IsString()
  HOST = '127.0.0.1';

  @Matches(/^v\d+$/, { message: 'VERSION must look like v1, v2, …' })
  VERSION = 'v1';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Time between failing readiness and closing the server on SIGTERM (a Kubernetes probe period). */
  @Transform(toInt) @IsInt() @Min(0) @Max(120_000)
  SHUTDOWN_DELAY_MS = 0;

  /** Default timeout of calls to other services (generated clients). */
  @Transform(toInt) @IsInt() @Min(1) @Max(600_000)
  HTTP_TIMEOUT_MS = 10_000;

  /** Largest request body accepted; larger bodies get 413. */
  @Transform(toInt) @IsInt() @Min(1024) @Max(64 * 1024 * 1024)
  BODY_LIMIT_BYTES = 8 * 1024 * 1024;
}

export { toInt };
