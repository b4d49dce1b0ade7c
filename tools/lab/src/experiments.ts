/**
 * The experiments, as code. Each names its steady state, the fault and how it is applied, the load,
 * and the hypothesis with numeric bounds per mode. `docs/lab.md` explains how to read them.
 *
 * Local runs use a stack of `section-1` + `collector` only (no analysers): these experiments are about
 * the collector → section hop, and on a 2-core machine inference would cost ~50–100 ms of CPU per frame
 * and make the numbers about the CPU instead. The collector then stores frames unanalysed.
 */
import type { Experiment } from './types.js';

/** Client-side parameters the local lab sets in `client` mode (recorded in result.json). */
export const LAB_CLIENT_ENV: Record<string, string> = {
  RESILIENCE_TIMEOUT_MS: '1000',
  RESILIENCE_RETRIES: '5',
  RESILIENCE_BACKOFF_MS: '20',
  RESILIENCE_BACKOFF_MAX_MS: '200',
  RESILIENCE_BREAKER_THRESHOLD: '5',
  RESILIENCE_BREAKER_HALF_OPEN_MS: '1000',
};

const PIPELINE = ['section-1', 'collector'];
const STATISTICS = ['/statistics'];
const SEED = 42;

const frameInvariants = [
  { metric: 'ackedNotStored', op: '==', value: 0 },
  { metric: 'storeDuplicates', op: '==', value: 0 },
] as const;

export const EXPERIMENTS: Experiment[] = [
  {
    name: 'sick-section',
    title: 'Sick section replica (30% 503) behind retries',
    steadyState:
      'every frame streamed to the collector is acknowledged and stored once in section 1 (success rate 100%)',
    faultDescription: 'chaos API of section-1: 30% of POST /statistics answer 503 (seed 42)',
    kind: 'frames',
    load: { rate: 10, durationMs: 20_000, timeoutMs: 5_000 },
    short: { durationMs: 6_000 },
    local: {
      services: PIPELINE,
      fault: {
        kind: 'chaos',
        service: 'section-1',
        settings: { errorRate: 0.3, errorStatus: 503, seed: SEED, routes: STATISTICS },
      },
      clientEnv: LAB_CLIENT_ENV,
    },
    cluster: {
      manifests: { plain: 'deploy/overlays/plain', istio: 'deploy/scenarios/retries' },
      fault: {
        kind: 'chaos',
        selector: 'app=section-1',
        settings: { errorRate: 0.3, errorStatus: 503, seed: SEED, routes: STATISTICS },
      },
      path: '/collector/frames',
    },
    hypothesis: {
      statement:
        'Without resilience about 30% of the frames are lost (each one fails if its single call fails). With retries a frame is lost only ' +
        'if 6 attempts in a row fail (0.3⁶ ≈ 0.07%): ≥ 99% stored, and the store holds every frame once.',
      bounds: {
        none: [
          { metric: 'successRate', op: '<', value: 0.85 },
          { metric: 'lostFrames', op: '>=', value: 1 },
          ...frameInvariants,
        ],
        client: [
          { metric: 'storedRate', op: '>=', value: 0.99 },
          { metric: 'successRate', op: '>=', value: 0.99 },
          ...frameInvariants,
        ],
        plain: [{ metric: 'storedRate', op: '>=', value: 0.99 }, ...frameInvariants],
        istio: [{ metric: 'storedRate', op: '>=', value: 0.99 }, ...frameInvariants],
      },
    },
  },
  {
    name: 'sick-section-50',
    title: 'Sick section replica (50% 503) behind retries',
    steadyState: 'every frame acknowledged and stored once',
    faultDescription: 'chaos API of section-1: 50% of POST /statistics answer 503 (seed 42)',
    kind: 'frames',
    load: { rate: 10, durationMs: 20_000, timeoutMs: 5_000 },
    short: { durationMs: 6_000 },
    local: {
      services: PIPELINE,
      fault: {
        kind: 'chaos',
        service: 'section-1',
        settings: { errorRate: 0.5, errorStatus: 503, seed: SEED, routes: STATISTICS },
      },
      clientEnv: LAB_CLIENT_ENV,
    },
    cluster: {
      manifests: { plain: 'deploy/overlays/plain', istio: 'deploy/scenarios/retries' },
      fault: {
        kind: 'chaos',
        selector: 'app=section-1',
        settings: { errorRate: 0.5, errorStatus: 503, seed: SEED, routes: STATISTICS },
      },
      path: '/collector/frames',
    },
    hypothesis: {
      statement:
        'Without resilience about half of the frames are lost. With 5 retries a frame is lost when 6 attempts fail (0.5⁶ ≈ 1.6%): ' +
        '≥ 95% stored; retries cannot promise 99% against a replica this sick (that is what outlier detection is for).',
      bounds: {
        none: [{ metric: 'successRate', op: '<', value: 0.7 }, ...frameInvariants],
        client: [{ metric: 'storedRate', op: '>=', value: 0.95 }, ...frameInvariants],
        plain: [{ metric: 'storedRate', op: '>=', value: 0.9 }, ...frameInvariants],
        istio: [{ metric: 'storedRate', op: '>=', value: 0.9 }, ...frameInvariants],
      },
    },
  },
  {
    name: 'slow-section',
    title: 'Slow dependency: 30% of section calls delayed 3 s, beyond the timeout',
    steadyState: 'frames acknowledged within ~50 ms (p99), every frame stored once',
    faultDescription:
      'chaos API of section-1: 30% of POST /statistics delayed 3000 ms (seed 42). The collector gives up on a call after ' +
      '1500 ms (`none`: HTTP_TIMEOUT_MS) or after 1000 ms per attempt (`client`: RESILIENCE_TIMEOUT_MS, then a retry)',
    kind: 'frames',
    load: { rate: 10, durationMs: 20_000, timeoutMs: 8_000 },
    short: { durationMs: 6_000 },
    local: {
      services: PIPELINE,
      fault: {
        kind: 'chaos',
        service: 'section-1',
        settings: { delayMs: 3000, delayRate: 0.3, seed: SEED, routes: STATISTICS },
      },
      env: { HTTP_TIMEOUT_MS: '1500' },
      clientEnv: LAB_CLIENT_ENV,
    },
    cluster: {
      manifests: { plain: 'deploy/overlays/plain', istio: 'deploy/scenarios/retries' },
      fault: {
        kind: 'chaos',
        selector: 'app=section-1',
        settings: { delayMs: 3000, delayRate: 0.3, seed: SEED, routes: STATISTICS },
      },
      path: '/collector/frames',
    },
    hypothesis: {
      statement:
        'Without resilience the delayed 30% time out (502 after the 1.5 s timeout: p90 ≥ 1.5 s) although the section stores ' +
        'them later: unacknowledged yet stored. With a 1 s per-attempt timeout and retries ≥ 99% are acknowledged, most of them at once ' +
        '(p50 < 1 s; the delayed ones after ~1 s, a frame delayed on 3 attempts in a row, 0.3³ ≈ 2.7%, after ~3 s: p99 is not ' +
        'bounded below the delay, and on a busy machine neither is p90); ' +
        'the abandoned attempts land later as duplicate deliveries, which the store drops.',
      bounds: {
        none: [
          { metric: 'successRate', op: '<', value: 0.85 },
          { metric: 'p90Ms', op: '>=', value: 1500 },
          ...frameInvariants,
        ],
        client: [
          { metric: 'successRate', op: '>=', value: 0.99 },
          { metric: 'p50Ms', op: '<', value: 1000 },
          ...frameInvariants,
        ],
        plain: [
          { metric: 'successRate', op: '>=', value: 0.99 },
          { metric: 'p90Ms', op: '<', value: 2500 },
          ...frameInvariants,
        ],
        istio: [
          { metric: 'successRate', op: '>=', value: 0.99 },
          { metric: 'p90Ms', op: '<', value: 2500 },
          ...frameInvariants,
        ],
      },
    },
  },
  {
    name: 'overload',
    title: 'Overloaded section behind a circuit breaker and a bulkhead',
    steadyState: 'the section serves every frame; requests reaching it = frames sent',
    faultDescription:
      'chaos API of section-1: every POST /statistics answers 503 after 300 ms (an overloaded replica shedding load). `client` mode: ' +
      'bulkhead of 2 calls with no queue, breaker opening after 2 failed calls, half-open after 2 s',
    kind: 'frames',
    load: { rate: 10, durationMs: 12_000, timeoutMs: 5_000 },
    short: { durationMs: 6_000 },
    local: {
      services: PIPELINE,
      fault: {
        kind: 'chaos',
        service: 'section-1',
        settings: { errorRate: 1, errorStatus: 503, delayMs: 300, seed: SEED, routes: STATISTICS },
      },
      clientEnv: {
        ...LAB_CLIENT_ENV,
        RESILIENCE_BULKHEAD: '2',
        RESILIENCE_BULKHEAD_QUEUE: '0',
        RESILIENCE_BREAKER_THRESHOLD: '2',
        RESILIENCE_BREAKER_HALF_OPEN_MS: '2000',
      },
    },
    cluster: {
      manifests: { plain: 'deploy/overlays/plain', istio: 'deploy/scenarios/circuit-breaker' },
      fault: {
        kind: 'chaos',
        selector: 'app=section-1',
        settings: { errorRate: 1, errorStatus: 503, delayMs: 300, seed: SEED, routes: STATISTICS },
      },
      path: '/collector/frames',
    },
    hypothesis: {
      statement:
        'Nothing can be stored while the section sheds everything. Without protection every frame still costs the section a ' +
        'request and the camera waits ≥ 300 ms for its failure. With the bulkhead and the breaker most frames fail fast ' +
        '(p50 < 100 ms) and at most half of them reach the section, although each admitted call is retried.',
      bounds: {
        none: [
          { metric: 'dependencyRequestsPerFrame', op: '>=', value: 0.95 },
          { metric: 'p50Ms', op: '>=', value: 300 },
          ...frameInvariants,
        ],
        client: [
          { metric: 'dependencyRequestsPerFrame', op: '<=', value: 0.5 },
          { metric: 'p50Ms', op: '<', value: 100 },
          ...frameInvariants,
        ],
        plain: [{ metric: 'p50Ms', op: '<', value: 300 }, ...frameInvariants],
        istio: [{ metric: 'p50Ms', op: '<', value: 300 }, ...frameInvariants],
      },
    },
  },
  {
    name: 'kill-section',
    title: 'Section process killed (SIGKILL) while frames stream, then restarted',
    steadyState: 'every frame acknowledged and stored once; nothing acknowledged is ever lost',
    faultDescription:
      'SIGKILL of the section-1 process 2 s into the load, then started again (ready in ~1–3 s); after the load every ' +
      'unacknowledged frame is sent once more, as a camera catching up would',
    kind: 'frames',
    load: { rate: 10, durationMs: 20_000, timeoutMs: 5_000 },
    short: { durationMs: 9_000 },
    local: {
      services: PIPELINE,
      fault: { kind: 'kill', service: 'section-1', atMs: 2_000 },
      clientEnv: LAB_CLIENT_ENV,
    },
    cluster: {
      manifests: { plain: 'deploy/overlays/plain', istio: 'deploy/scenarios/retries' },
      fault: { kind: 'kill-pod', selector: 'app=section-1', deployment: 'section-1', atMs: 2_000 },
      path: '/collector/frames',
    },
    hypothesis: {
      statement:
        'Frames sent while the section is down are not acknowledged (lost to the camera, visible); once it is back every frame is ' +
        'stored again; nothing acknowledged is missing from the store (SQLite synchronous=FULL survives SIGKILL); re-sending the ' +
        'unacknowledged frames recovers all of them, each stored once.',
      bounds: {
        none: [
          { metric: 'lostFrames', op: '>=', value: 1 },
          { metric: 'tailSuccessRate', op: '>=', value: 0.99 },
          { metric: 'lostAfterResend', op: '==', value: 0 },
          ...frameInvariants,
        ],
        client: [
          { metric: 'tailSuccessRate', op: '>=', value: 0.99 },
          { metric: 'lostAfterResend', op: '==', value: 0 },
          ...frameInvariants,
        ],
        plain: [{ metric: 'lostAfterResend', op: '==', value: 0 }, ...frameInvariants],
        istio: [{ metric: 'lostAfterResend', op: '==', value: 0 }, ...frameInvariants],
      },
    },
  },
  {
    name: 'canary-50-50',
    title: 'Canary: cpanel v1/v2 split 50/50',
    steadyState: 'GET /status answered by CPanel v1 only (default routing)',
    faultDescription:
      'not a fault: the cpanel-50-50 scenario (VirtualService weights 50/50) on Istio; on plain Kubernetes the Service selects both Deployments',
    kind: 'split',
    load: { rate: 10, durationMs: 20_000, timeoutMs: 5_000 },
    short: { durationMs: 6_000 },
    localSkipReason:
      'cluster-only: the local stack runs one process per service and has no router that could split cpanel traffic between two versions',
    cluster: {
      manifests: { plain: 'deploy/overlays/plain', istio: 'deploy/scenarios/cpanel-50-50' },
      fault: { kind: 'none' },
      path: '/status',
    },
    hypothesis: {
      statement:
        'With weights 50/50, v2 answers 40–60% of 200 requests (±2.8 standard deviations). Plain Kubernetes has no weights: ' +
        'with one replica of each version kube-proxy spreads roughly evenly, with no control over it.',
      bounds: {
        istio: [
          { metric: 'v2Share', op: '>=', value: 0.4 },
          { metric: 'v2Share', op: '<=', value: 0.6 },
          { metric: 'successRate', op: '>=', value: 0.99 },
        ],
        plain: [
          { metric: 'v2Share', op: '>', value: 0 },
          { metric: 'v2Share', op: '<', value: 1 },
          { metric: 'successRate', op: '>=', value: 0.99 },
        ],
      },
    },
  },
];

export function experimentNames(): string[] {
  return EXPERIMENTS.map((e) => e.name);
}

/** The experiments by name, in catalogue order; throws with the known names for an unknown one. */
export function selectExperiments(names: string[] | undefined, catalogue: Experiment[] = EXPERIMENTS): Experiment[] {
  if (!names || names.length === 0) return catalogue;
  const unknown = names.filter((n) => !catalogue.some((e) => e.name === n));
  if (unknown.length) {
    throw new LabUsageError(
      `unknown experiment ${unknown.map((n) => `'${n}'`).join(', ')}; known: ${catalogue.map((e) => e.name).join(', ')}`,
    );
  }
  return catalogue.filter((e) => names.includes(e.name));
}

/** Bad input to the lab (exit status 2). */
export class LabUsageError extends Error {
  override readonly name = 'LabUsageError';
}
