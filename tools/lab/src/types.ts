import type { LoadResult } from '@airport-mesh/loadgen';

/** Where the lab runs: the local stack (processes on this machine) or the current kubectl context. */
export type TargetKind = 'local' | 'cluster';
/** Local: the generated clients without (`none`) and with (`client`) cockatiel policies. */
export type LocalMode = 'none' | 'client';
/** Cluster: the plain overlay (client-side resilience on) and the Istio overlay (mesh resilience, client off). */
export type ClusterMode = 'plain' | 'istio';
export type Mode = LocalMode | ClusterMode;

export const LOCAL_MODES: readonly LocalMode[] = ['none', 'client'];
export const CLUSTER_MODES: readonly ClusterMode[] = ['plain', 'istio'];

/** Body of `PUT /chaos` (libs/platform/src/chaos/chaos.dto.ts). */
export interface ChaosSettings {
  errorRate?: number;
  errorStatus?: number;
  delayMs?: number;
  delayJitterMs?: number;
  delayDistribution?: 'fixed' | 'uniform' | 'normal';
  delayRate?: number;
  unready?: boolean;
  seed?: number;
  routes?: string[];
}

/** What an experiment does to the system, on the local stack. */
export type LocalFault =
  /** PUT /chaos on one service of the stack before the load starts (reset after). */
  | { kind: 'chaos'; service: string; settings: ChaosSettings }
  /** SIGKILL of a process `atMs` after the load starts, then `revive` (start it again, wait until ready). */
  | { kind: 'kill'; service: string; atMs: number }
  /** Nothing is broken: the load itself is the fault (an `overload` plan above the sustained rate). */
  | { kind: 'none' };

/** What an experiment does to the system, on a cluster. */
export type ClusterFault =
  /** PUT /chaos on every pod the selector matches (through `kubectl port-forward`), reset after. */
  | { kind: 'chaos'; selector: string; settings: ChaosSettings }
  /** `kubectl delete pod --grace-period=0 --force` (SIGKILL) `atMs` after the load starts, then `rollout status`. */
  | { kind: 'kill-pod'; selector: string; deployment: string; atMs: number }
  | { kind: 'none' };

/** Every number a run reports; a hypothesis bounds some of them. Rates are fractions in [0, 1]. */
export const METRICS = {
  successRate: 'acknowledged (2xx) / sent',
  storedRate: 'frames in the store / frames sent',
  lostFrames: 'frames sent and not in the store',
  ackedNotStored: 'frames acknowledged but missing from the store (must always be 0)',
  storeDuplicates: 'rows in the store minus distinct frame ids (must always be 0)',
  duplicateDeliveries:
    'deliveries of an already stored frame, dropped by the section (section_statistics_duplicates_total)',
  p50Ms: 'latency p50 from the intended start, ms',
  p90Ms: 'latency p90, ms',
  p99Ms: 'latency p99, ms',
  dependencyRequestsPerFrame: 'requests that reached the faulty service / frames sent',
  tailSuccessRate: 'success rate of the frames due after the killed process was ready again',
  lostAfterResend: 'frames still missing after every unacknowledged frame was sent once more',
  v2Share: 'share of answers from CPanel v2',
  v2ShareCi95: 'half-width of the 95% confidence interval of v2Share (normal approximation)',
  alertsRaisedRate: 'alerts raised / frames with a known face sent',
  requestsAfterEjection: 'requests the failing replica received after its ejection',
  forbiddenByCaller: 'answers 403 to callers the AuthorizationPolicies do not allow',
  plaintextAccepted: 'plaintext requests from the sidecar-less client that were answered (STRICT mTLS: 0)',
  egressUnregisteredOk: 'outbound calls to an unregistered host that succeeded (REGISTRY_ONLY: 0)',
  rateLimitedShare: 'share of answers 429 above the local rate limit',
  promoted: '1 when Flagger promoted the canary, 0 when it rolled back',
  goodputShare: 'frames stored per second of load / the sustained rate of the calibration (overload experiments)',
  pairedGoodputShare:
    'frames stored per second of load / the rate the same stack sustained just before: the calibrated rate if a run at it met the calibration criterion again, else what that run acknowledged per second (overload experiments)',
  acceptedP99Ms: 'latency p99 of the acknowledged (2xx) frames only, ms',
  facesCounted: "faces counted by image-analysis in this run's stored frames (sum of the section's personCount)",
  alertsRaised: "alerts in the alerts store for this run's frames (after the catch-up re-send, if any)",
} as const;
export type MetricName = keyof typeof METRICS;

export type Comparison = '<' | '<=' | '>' | '>=' | '==';

export interface Bound {
  metric: MetricName;
  op: Comparison;
  value: number;
}

export interface LoadPlan {
  /** Requests (frames) per second, constant-rate. */
  rate: number;
  durationMs: number;
  /** The caller's patience (the loadgen's per-request timeout). */
  timeoutMs: number;
  /**
   * Full profile: the lowest rate at which the hypothesis can be decided; a calibrated (or `--rate`) rate below
   * it is raised to it. Set where the mechanism under test acts per unit of time rather than per frame (the
   * circuit breaker: a bounded number of calls per half-open period), so too few frames cannot show it.
   */
  minRate?: number;
  /**
   * Full profile: offer this multiple of the sustained rate the calibration found (or of 2 × `--rate`),
   * instead of the experiments' rate: an overload experiment. The plan then records `sustainedRate`.
   */
  overload?: number;
  /** The sustained rate an `overload` plan is a multiple of (frames/s), for `goodputShare`. */
  sustainedRate?: number;
}

export interface Experiment {
  name: string;
  /** The directory of deploy/scenarios this experiment exercises (each directory has at least one experiment). */
  scenario: string;
  /** Exactly what is measured (the numbers the hypothesis bounds and how they are obtained). */
  measures: string;
  /** For a cluster-only experiment: the experiment measuring the same resilience on the local stack, if any. */
  localCounterpart?: string;
  title: string;
  /** The steady-state metric and what it is without the fault. */
  steadyState: string;
  /** How the fault is applied, in words (the code is in `local` / `cluster`). */
  faultDescription: string;
  /** What is measured: frames through the pipeline, or the version split of `GET /status`. */
  kind: 'frames' | 'split';
  load: LoadPlan;
  /** The `--short` profile (CI): the same experiment, fewer seconds. */
  short?: Partial<LoadPlan>;
  /** The local-stack form; absent = cluster-only (the report says so). */
  local?: {
    /** The processes the experiment needs (names of tools/local-stack DEFAULT_SERVICES). */
    services: string[];
    fault: LocalFault;
    /** Environment of every service in both modes (e.g. HTTP_TIMEOUT_MS). */
    env?: Record<string, string>;
    /** Extra environment in `client` mode (RESILIENCE_* parameters). */
    clientEnv?: Record<string, string>;
    /**
     * The processes of the `--short` (CI) profile, e.g. section-1 + collector only; absent = the experiment needs
     * the whole pipeline and runs in the full profile only (skipped in `--short`, with that reason).
     */
    shortServices?: string[];
    /** The load is `GET <service><path>` instead of camera frames to the collector (e.g. cpanel reading a camera's state). */
    request?: { service: string; path: string };
    /**
     * The load is a camera agent of the stack streaming its sample photos (`POST /stream` at the plan's rate), so
     * the camera → collector hop runs through the agent's generated client (the resilience under test); measured
     * from the agent's `GET /counters` and the section's store.
     */
    camera?: { service: string; cameraId: string };
  };
  /** Why there is no local form, when there is none. */
  localSkipReason?: string;
  cluster?: {
    /** What `kubectl apply -k` applies in each mode (paths from the repository root). */
    manifests: Record<ClusterMode, string>;
    fault: ClusterFault;
    /** Ingress path the load goes to. */
    path: string;
    /** Request headers of the load (e.g. the canary-header test group). */
    headers?: Record<string, string>;
    /**
     * `pending`: the cluster driver does not take this measurement yet (the run is reported as skipped with
     * `measures`, never as a result). Absent: measured.
     */
    measurement?: 'pending';
  };
  hypothesis: {
    /** In words. */
    statement: string;
    bounds: Partial<Record<Mode, Bound[]>>;
  };
}

export interface BoundResult extends Bound {
  actual: number | null;
  held: boolean;
}

export interface FrameCounts {
  sent: number;
  acknowledged: number;
  stored: number;
  lost: number;
  ackedNotStored: number;
  storeRows: number;
  storeDistinct: number;
  storeDuplicates: number;
  duplicateDeliveries: number | null;
  /** Faces image-analysis counted in the stored frames of this run (sum of personCount); null without analysis. */
  faces?: number | null;
  /** Frames sent whose photo shows a watch-listed person (each should raise one alert). */
  alertFramesSent?: number;
  /** Alerts of this run's frames in the alerts store (distinct frame × person); null without the alerts service. */
  alerts?: number | null;
  /** Frames not acknowledged, sent once more after the run (kill experiment: the camera's catch-up). */
  resent: number;
  lostAfterResend: number | null;
}

export interface RunEvent {
  atMs: number;
  what: string;
}

/** One experiment in one mode. */
export interface Run {
  experiment: string;
  mode: Mode;
  /** 1-based repeat of this experiment × mode (absent in results written before repeats). */
  repeat?: number;
  status: 'ok' | 'skipped' | 'failed';
  note?: string;
  startedAt?: string;
  elapsedMs?: number;
  parameters?: {
    load: LoadPlan;
    services?: string[];
    env?: Record<string, string>;
    fault?: LocalFault | ClusterFault;
    manifests?: string;
    ingress?: string;
  };
  load?: LoadResult;
  frames?: FrameCounts;
  dependency?: { service: string; requests: number; injectedErrors: number; injectedDelays: number };
  split?: Record<string, number>;
  events: RunEvent[];
  /**
   * When the fault acted, ms into the load (`toMs` absent: until the end of the load). Optional: without it
   * the report derives the window from `events` or the fault's kind (report charts shade it).
   */
  faultWindow?: { fromMs: number; toMs?: number; label?: string };
  metrics: Partial<Record<MetricName, number | null>>;
  /**
   * Where the machine's CPU went while the load ran (local target): cores used per service (from its
   * `process_cpu_seconds_total`, all threads) and by the lab process itself (`lab`: the load generator;
   * until round 8 also the recording proxy), over `windowMs`. On a shared machine what the load costs is CPU the
   * pipeline does not get. Absent in older results and where it was not read.
   */
  cpu?: {
    windowMs: number;
    cores: Record<string, number>;
    /**
     * The whole machine over the same window, in cores (Linux /proc/stat): busy in all, busy in other
     * processes than the stack's and the lab's (a neighbour), and stolen by the hypervisor.
     */
    machine?: { busy: number; others: number; steal: number };
  };
  /**
   * Overload runs: the run at the calibrated sustained rate on the same stack just before the overload
   * (`pairedGoodputShare`): its rate, length, frames sent and acknowledged, p99 and latency growth,
   * whether it met the calibration's criterion again (`sustained`), and its acknowledged frames per
   * second over the whole run including the drain (`okPerSecond`), and its answers by status.
   */
  reference?: {
    rate: number;
    durationMs: number;
    sent: number;
    acknowledged: number;
    p99Ms: number | null;
    growthMs: number | null;
    sustained: boolean;
    okPerSecond: number;
    /** Answers by HTTP status (absent in the first runs that had a reference). */
    status?: Record<string, number>;
    /** As `CalibrationStep.unacknowledgedPer5s`. */
    unacknowledgedPer5s?: number[];
    /** The same rate streamed just before the reference, not judged (REFERENCE_WARM_UP_MS); absent before round 14. */
    warmUp?: { durationMs: number; sent: number; acknowledged: number };
  };
  /**
   * The pipeline's work over the same window (local target; `WORK_COUNTERS` in http.ts): `analysed`
   * frames image-analysis answered, `analysisShed` it refused, `doorShed` the collector refused at its
   * door, `retries` of the collector's clients, and image-analysis's seconds per stage and in its queue
   * (`decodeSeconds`, `detectSeconds`, `attributesSeconds`, `queueWaitSeconds`). Absent in older results.
   */
  work?: Record<string, number>;
  hypothesis?: { bounds: BoundResult[]; held: boolean };
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  hostname?: string;
}

/** One step of the calibration ramp: the whole pipeline without a fault at a constant rate. */
export interface CalibrationStep {
  rate: number;
  durationMs: number;
  sent: number;
  ok: number;
  successRate: number | null;
  p99Ms: number | null;
  /** Median latency of the step's last quarter minus its first quarter, ms (a growing backlog); absent in older results. */
  growthMs?: number | null;
  /** Cores each service and the lab process used during the step (as `Run.cpu`); absent in older results. */
  cores?: Record<string, number>;
  /** The whole machine during the step (as `Run.cpu.machine`); absent in older results. */
  machine?: { busy: number; others: number; steal: number };
  /** Answers by HTTP status (a door's 503 tells apart from a failure behind it); absent in older results. */
  status?: Record<string, number>;
  /**
   * Frames not acknowledged in each 5 s of the step, in order (a slow start shows in the first, a machine
   * that slowed down in the last); absent in older results.
   */
  unacknowledgedPer5s?: number[];
  /** A confirmation step: the ramp's best rate (or one below it) held as long as an overload run's reference. */
  confirmation?: true;
  sustained: boolean;
}

/** What this machine sustains, measured before the experiments (full profile, local target). */
export interface Calibration {
  services: string[];
  mode: LocalMode;
  /** Service environment the calibration ran with beyond the lab's (the overload experiment's, e.g. its door). */
  env?: Record<string, string>;
  criterion: { minSuccessRate: number; maxP99Ms: number; maxGrowthMs?: number };
  steps: CalibrationStep[];
  /** The rate whose confirmation step met the criterion (frames/s); in results before confirmations, the ramp's highest sustained rate. */
  sustainedRate: number;
  /** Share of sustainedRate the experiments run at. */
  fraction: number;
  /** The experiments' rate: fraction × sustainedRate, rounded (at least 1). */
  experimentRate: number;
  elapsedMs: number;
}

/** Median and spread of one metric over the repeats of one experiment × mode. */
export interface MetricSpread {
  median: number;
  min: number;
  max: number;
  /** Runs with a value. */
  n: number;
}

/** The repeats of one experiment × mode, summarised (the runs themselves are in LabResult.runs, with `repeat`). */
export interface RunSummary {
  experiment: string;
  mode: Mode;
  /** Runs of this experiment × mode that ended ok. */
  runs: number;
  /** Of those, the runs whose hypothesis held. */
  held: number;
  /** Held in every run (and there was at least one). */
  heldInEveryRun: boolean;
  metrics: Partial<Record<MetricName, MetricSpread>>;
}

/**
 * The service settings a run records and its report's `env` line shows: the resilience mode and its
 * `RESILIENCE_*` parameters, the collector's door (`FRAMES_*`), image-analysis's pool and models
 * (`ANALYSIS_*`, `VISION_*`) and the HTTP deadlines. The rest of an environment (PATH, proxies…) is not.
 */
export function isServiceSetting(key: string): boolean {
  return /^(RESILIENCE|FRAMES_|ANALYSIS_|VISION_)|^HTTP_(TIMEOUT|DEADLINE)_MS$/.test(key);
}

export const RESULT_SCHEMA = 'airport-mesh.lab.result/v1';

export interface LabResult {
  schema: typeof RESULT_SCHEMA;
  /** `complete` only when every planned run ended (held or not); anything else is a partial result. */
  status: 'complete' | 'incomplete';
  error?: string;
  target: TargetKind;
  modes: Mode[];
  profile: 'full' | 'short';
  experiments: Experiment[];
  startedAt: string;
  finishedAt?: string;
  git: { commit: string | null; dirty: boolean | null };
  versions: Record<string, string>;
  machine: MachineInfo;
  runs: Run[];
  /** Runs per experiment × mode (`--repeats`; 1 in results written before repeats). */
  repeats?: number;
  /** The load parameters chosen for this run (calibrated rate, per-experiment durations), as run. */
  parameters?: { rate?: number; durationMs?: number; plans?: Record<string, LoadPlan> };
  /** The calibration ramp (full profile, local target). */
  calibration?: Calibration;
  /** Median and spread per experiment × mode over the repeats. */
  summaries?: RunSummary[];
  /** True when every hypothesis of every run that ran held. */
  held?: boolean;
}
