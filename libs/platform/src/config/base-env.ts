import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy } from 'class-validator';
import { privateKeyFrom, publicKeyFrom } from '../auth/keys.js';

function IsEd25519Key(kind: 'private' | 'public'): PropertyDecorator {
  return ValidateBy({
    name: 'isEd25519Key',
    validator: {
      validate: (value) => {
        try {
          (kind === 'private' ? privateKeyFrom : publicKeyFrom)(String(value));
          return true;
        } catch {
          return false;
        }
      },
      defaultMessage: (args) =>
        `${args!.property} must be an Ed25519 ${kind} key, base64 DER (${kind === 'private' ? 'PKCS#8' : 'SPKI'})`,
    },
  });
}

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

  /**
   * client mode: a retry budget per target; over the last 10 s its retries may be at most this
   * percent of its calls (plus RESILIENCE_RETRY_BUDGET_MIN_PER_SEC). 0 = no budget (every retryable
   * failure is retried up to RESILIENCE_RETRIES times).
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000)
  RESILIENCE_RETRY_BUDGET_PERCENT = 0;

  /** client mode, with a retry budget: retries per second to one target that are always allowed. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000)
  RESILIENCE_RETRY_BUDGET_MIN_PER_SEC = 1;

  /**
   * Total deadline of one call to another service (every attempt, backoff and body included); axios's
   * own timeout only limits socket idleness, so a peer that trickles bytes would never time out.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600_000)
  HTTP_DEADLINE_MS = 30_000;

  /**
   * Server: the whole request (headers and body) must arrive within this time; a slow client is cut
   * off with 408 and never holds a socket or the shutdown.
   */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  REQUEST_TIMEOUT_MS = 10_000;

  /** Server: an idle keep-alive connection is closed after this time. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  KEEP_ALIVE_TIMEOUT_MS = 5_000;

  /** A drain that has not finished this long after SIGTERM ends the process anyway (exit 1). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  SHUTDOWN_DEADLINE_MS = 30_000;

  /**
   * `app`: this service checks the signed token of every internal write's caller and the operator
   * credential; `mesh`: callers are checked by the mesh (Istio mTLS and AuthorizationPolicies), the
   * operator credential still here (docs/security.md).
   */
  @IsIn(['app', 'mesh'])
  AUTH: 'app' | 'mesh' = 'app';

  /** This service's Ed25519 private key (base64 PKCS#8 DER): signs its calls to other services' writes. */
  @IsOptional()
  @IsEd25519Key('private')
  AUTH_SERVICE_KEY?: string;

  /** Public key (base64 SPKI DER) of the camera agents, accepted by the collector's POST /frames. */
  @IsOptional()
  @IsEd25519Key('public')
  AUTH_PUBLIC_KEY_CAMERA_AGENT?: string;

  /** Public key of the collector, accepted by the writes it makes (analysis, match, statistics, alerts, cpanel pushes). */
  @IsOptional()
  @IsEd25519Key('public')
  AUTH_PUBLIC_KEY_COLLECTOR?: string;

  /** Public key of cpanel, accepted by the camera agents' POST/DELETE /stream. */
  @IsOptional()
  @IsEd25519Key('public')
  AUTH_PUBLIC_KEY_CPANEL?: string;

  /**
   * The operator credential (a person: `Authorization: Bearer <OPERATOR_TOKEN>`, or the dashboard's
   * sign-in): required by the watch list's writes, camera control and face images. Unset = refused.
   */
  @IsOptional()
  @IsString()
  @MinLength(16)
  @Matches(/^\S+$/, { message: 'OPERATOR_TOKEN must not contain spaces' })
  OPERATOR_TOKEN?: string;

  /** Lifetime of a dashboard sign-in. */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  AUTH_SESSION_SECONDS = 12 * 3600;
}

export { toInt };
