import type { LatencySummary } from './histogram.js';

/** What a request that falls due while `maxInFlight` requests are outstanding does. */
export type OverflowPolicy =
  /** It is not sent and counts as `dropped` (the schedule stays exact; capacity shows as drops). */
  | 'drop'
  /** It waits in a FIFO queue for a free slot and is sent late; its latency still counts from its intended start. */
  | 'queue';

export type RequestBody = string | Uint8Array;

/** What the body factory is told about the request it makes. */
export interface RequestContext {
  /** 0-based position in the schedule (unique per run: use it for sequence numbers). */
  index: number;
  /** The intended start, in ms after the run's first intended start (`index * 1000 / rate`). */
  intendedAtMs: number;
}

/** A body and extra headers for one request (they override the run's headers of the same name). */
export interface RequestParts {
  body?: RequestBody;
  headers?: Record<string, string>;
}

/** Makes each request's body (or body and headers), called once per request just before it is sent. */
export type BodyFactory = (ctx: RequestContext) => RequestBody | RequestParts;

export interface LoadOptions {
  /** The target. Loopback only unless `allowRemote`. Redirects are not followed. */
  url: string | URL;
  /** Intended arrival rate, requests per second (0 < rate ≤ 100000). */
  rate: number;
  /** How long requests are scheduled, ms (0 < durationMs ≤ 1 h). The run schedules floor(rate × duration) requests. */
  durationMs: number;
  /** HTTP method; default `GET`. */
  method?: string;
  /** Headers of every request. */
  headers?: Record<string, string>;
  /** A fixed body, or a factory called per request (e.g. a frame with a unique seq). */
  body?: RequestBody | BodyFactory;
  /** Per-request timeout, ms, from the actual send to the end of the response body; default 2000. */
  timeoutMs?: number;
  /** Bound on requests in flight (also the connection pool size); default 256. */
  maxInFlight?: number;
  /** What a request due at the bound does; default `drop`. */
  overflow?: OverflowPolicy;
  /** `queue` mode: how long after the schedule ends queued requests may still be sent (then they count as dropped); default `timeoutMs`. */
  drainMs?: number;
  /** A request sent more than this many ms after its intended start counts as `late`; default 10. */
  lateThresholdMs?: number;
  /** Upper bound on scheduled requests (the run then ends earlier than `durationMs`). */
  maxRequests?: number;
  /** Allow a non-loopback target (explicit opt-in); default false. */
  allowRemote?: boolean;
  /** Open one TCP connection before the run and fail with TARGET_UNREACHABLE if it can't; default true. */
  checkReachable?: boolean;
  /** Stops scheduling; in-flight requests finish (bounded by the timeout), queued ones count as dropped. */
  signal?: AbortSignal;
  /**
   * Called once per request whose whole response arrived within the timeout, with the request's index
   * (as the body factory saw it) and the status: which requests were answered how, without a proxy in
   * the path. Not called for errors, timeouts or dropped requests. Must not throw.
   */
  onResponse?: (response: { index: number; status: number }) => void;
}

/** Counts of the run. Every intended request ends as exactly one of: a response, an error, dropped. */
export interface RequestCounts {
  /** Scheduled (`floor(rate × duration)`, fewer if capped or aborted). */
  intended: number;
  /** Actually sent. */
  sent: number;
  /** Never sent: due while `maxInFlight` were outstanding (`drop`), or still queued at the drain deadline (`queue`). */
  dropped: number;
  /** Sent more than `lateThresholdMs` after their intended start. */
  late: number;
  /** Complete HTTP responses, any status. */
  responses: number;
  /** Responses with a 2xx status. */
  ok: number;
  /** Failed without a complete response (see `errors`). */
  errors: number;
}

export interface ErrorCounts {
  /** No complete response within `timeoutMs` of the send. */
  timeout: number;
  /** ECONNREFUSED. */
  connectionRefused: number;
  /** ECONNRESET, EPIPE, or the connection closed before the response ended. */
  connectionReset: number;
  /** Anything else (see `byCode`). */
  other: number;
  /** Error code → count, e.g. `{ "ECONNREFUSED": 3 }` (`TIMEOUT` for our own timer). */
  byCode: Record<string, number>;
}

export interface Throughput {
  /** The configured rate. */
  intendedRps: number;
  /** sent / window. */
  sentRps: number;
  /** responses / window. */
  achievedRps: number;
  /** 2xx responses / window. */
  okRps: number;
  /** The denominator, ms: the schedule's span (intended × 1000 / rate) or the run's elapsed time, whichever is longer. */
  windowMs: number;
}

export const RESULT_SCHEMA = 'airport-mesh.loadgen.result/v1';

/** The JSON result of a run (documented in tools/loadgen/README.md). */
export interface LoadResult {
  schema: typeof RESULT_SCHEMA;
  target: { url: string; method: string };
  config: {
    rate: number;
    durationMs: number;
    timeoutMs: number;
    maxInFlight: number;
    overflow: OverflowPolicy;
    drainMs: number;
    lateThresholdMs: number;
    maxRequests: number | null;
  };
  /** Wall-clock start (the first intended start) and end (the last request settled), ISO 8601. */
  startedAt: string;
  finishedAt: string;
  /** From the first intended start until the last request settled, ms. */
  elapsedMs: number;
  /** True when the run was stopped through `signal`. */
  aborted: boolean;
  requests: RequestCounts;
  throughput: Throughput;
  /** HTTP status → count of responses, e.g. `{ "200": 98, "503": 2 }`. */
  status: Record<string, number>;
  errors: ErrorCounts;
  /** From the intended start to the end of the response body: what a caller waiting on the schedule saw. Responses of any status. */
  latencyMs: LatencySummary;
  /**
   * The HDR histogram behind `latencyMs` (microseconds, 3 significant digits), HDR's compressed base64
   * encoding (`encodeIntoCompressedBase64`), so runs can be merged and any percentile read later.
   * Absent in results written before it existed.
   */
  latencyHistogram?: string;
  /** As `latencyMs`, 2xx responses only. */
  okLatencyMs: LatencySummary;
  /** From the actual send to the end of the response body (what the server and network took). Responses of any status. */
  serviceTimeMs: LatencySummary;
  /** From the intended start to the actual send, every sent request: the generator's own lateness plus queueing at the bound. */
  sendLagMs: LatencySummary;
  /** Per second of the schedule (by intended start): how its requests ended, to see when failures began and ended. */
  timeline: TimelineBucket[];
}

/** One second of the schedule. intended = ok + otherStatus + errors + dropped once the run is over. */
export interface TimelineBucket {
  /** Start of the second, ms after the first intended start. */
  startMs: number;
  intended: number;
  /** 2xx responses. */
  ok: number;
  /** Responses with any other status. */
  otherStatus: number;
  /** Failed without a response (timeout, refused, reset, other). */
  errors: number;
  dropped: number;
  /** Latency (from the intended start, responses of any status) of this second's requests, ms; null without a response. Absent in older results. */
  p50Ms?: number | null;
  p99Ms?: number | null;
  maxMs?: number | null;
}
