/**
 * What the lab asks the services directly (never through the pipeline under test): the section's store,
 * Prometheus counters, the chaos API, and the frames it sends.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chaosApi, serviceOfPod, type ChaosState } from '@airport-mesh/k8s-tools';
import { signCallerToken } from '@airport-mesh/platform/keys';
import type { ChaosSettings } from './types.js';

export class LabError extends Error {
  override readonly name = 'LabError';
}

async function request(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new LabError(`${init.method ?? 'GET'} ${url}: no answer (${cause})`);
  }
}

async function json<T>(url: string, init: RequestInit = {}): Promise<T> {
  const res = await request(url, init);
  const text = await res.text();
  if (!res.ok) throw new LabError(`${init.method ?? 'GET'} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export interface StoredRecord {
  frameId: string;
  cameraId: string;
  /** Faces image-analysis counted (null when the frame was stored unanalysed). */
  personCount?: number | null;
}

export interface StoredAlert {
  frameId: string;
  cameraId: string;
  name: string;
}

/** Every alert of the alerts store (`GET /alerts`, all pages). */
export async function storedAlerts(base: string): Promise<StoredAlert[]> {
  const items: StoredAlert[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await json<{ total: number; items: StoredAlert[] }>(`${base}/alerts?limit=1000&offset=${offset}`);
    items.push(...page.items);
    if (page.items.length === 0 || offset + page.items.length >= page.total) return items;
  }
}

/** Every record of a section's store (`GET /statistics`, all pages). `base` is the section's URL (or its ingress prefix). */
export async function storedRecords(base: string, headers: Record<string, string> = {}): Promise<StoredRecord[]> {
  const items: StoredRecord[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await json<{ total: number; items: StoredRecord[] }>(
      `${base}/statistics?limit=1000&offset=${offset}`,
      { headers },
    );
    items.push(...page.items);
    if (page.items.length === 0 || offset + page.items.length >= page.total) return items;
  }
}

/**
 * The sum of a counter's samples in a Prometheus exposition, over every label set, or only over the
 * samples carrying all of `labels` (services add their own `service` and `version` labels); 0 when
 * absent.
 */
export function counterValue(exposition: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith(`${name} `)) {
      if (!wanted.length) total += Number(line.trim().split(/\s+/).at(-1));
    } else if (line.startsWith(`${name}{`)) {
      const set = line.slice(name.length + 1, line.lastIndexOf('}')).split(',');
      if (wanted.every((w) => set.includes(w))) total += Number(line.trim().split(/\s+/).at(-1));
    }
  }
  return total;
}

export async function metricsText(base: string): Promise<string> {
  const res = await request(`${base}/metrics`);
  if (!res.ok) throw new LabError(`GET ${base}/metrics: HTTP ${res.status}`);
  return res.text();
}

export type { ChaosState } from '@airport-mesh/k8s-tools';

/**
 * `PUT /chaos` (settings) or `DELETE /chaos` (null) on one replica, through the generated client of
 * `service` (the chaos API is libs/platform's, the same in every service's OpenAPI document; without a
 * name, the collector's client speaks it).
 */
export async function setChaos(
  base: string,
  token: string,
  settings: ChaosSettings | null,
  service = 'collector',
): Promise<ChaosState> {
  const api = chaosApi(serviceOfPod(service), base, token);
  try {
    return await (settings ? api.set(settings) : api.reset());
  } catch (e) {
    throw new LabError((e as Error).message);
  }
}

export async function getChaos(base: string, token: string, service = 'collector'): Promise<ChaosState> {
  try {
    return await chaosApi(serviceOfPod(service), base, token).get();
  } catch (e) {
    throw new LabError((e as Error).message);
  }
}

const samples: string[] = [];
/** The six sample photos, in the order the camera agents stream them (sample1.jpg … sample6.jpg). */
export const SAMPLE_COUNT = 6;
/**
 * Frames whose photo shows a person of the default watch list (apps/face-recognition: PersonX is
 * sample1.jpg, PersonY sample4.jpg): each such frame raises one alert.
 */
export const WATCHLISTED_SAMPLES: readonly number[] = [0, 3];

/**
 * A real camera photo (base64 JPEG) from `@vladmandic/face-api` (MIT), the same kind the camera agents
 * send: frame `seq` shows sample `seq % 6 + 1`, people's faces in each, two of them watch-listed.
 */
export function sampleImage(seq = 0): string {
  if (samples.length === 0) {
    const dir = dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json'));
    for (let i = 1; i <= SAMPLE_COUNT; i++)
      samples.push(readFileSync(join(dir, 'demo', `sample${i}.jpg`)).toString('base64'));
  }
  return samples[seq % SAMPLE_COUNT];
}

/** How many of frames 0 … sent-1 show a watch-listed person. */
export function watchlistedFrames(sent: number): number {
  let n = 0;
  for (let seq = 0; seq < sent; seq++) if (WATCHLISTED_SAMPLES.includes(seq % SAMPLE_COUNT)) n++;
  return n;
}

const imageTails: Buffer[] = [];

/**
 * The collector's `POST /frames` body of frame `seq` of a lab camera, as bytes: the JSON of the small
 * fields, then `"image":"<base64>"}` from a per-sample cache. The same bytes as `JSON.stringify` of the
 * whole frame, without encoding a 130–530 kB string on every request: the lab's load shares the machine
 * with the pipeline it measures (its process used 0.17–0.21 cores at 30 frames/s before, 0.09–0.13 at
 * 32/s after: docs/performance.md, round 7).
 */
export function frameBody(cameraId: string, seq: number, section = '1'): Uint8Array<ArrayBuffer> {
  const i = seq % SAMPLE_COUNT;
  imageTails[i] ??= Buffer.from(`,"image":${JSON.stringify(sampleImage(seq))}}`);
  const head = JSON.stringify({
    cameraId,
    section,
    event: seq % 2 === 0 ? 'entry' : 'exit',
    timestamp: new Date().toISOString(),
    seq,
  });
  return Buffer.concat([Buffer.from(head.slice(0, -1)), imageTails[i]]);
}

/** Sends one frame; true when acknowledged (2xx). */
export async function sendFrame(
  collector: string,
  cameraId: string,
  seq: number,
  timeoutMs = 10_000,
  headers: Record<string, string> = {},
): Promise<boolean> {
  try {
    const res = await request(
      `${collector}/frames`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: frameBody(cameraId, seq) },
      timeoutMs,
    );
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Frames a fresh stack gets before anything is measured (see `warmUp`). */
export const WARM_UP_FRAMES = 8;

/**
 * Sends a fresh stack WARM_UP_FRAMES frames, two at a time, as camera `lab-warmup` (signed with the
 * stack's camera-agent key), and waits for the answers. A fresh stack is slow for its first seconds
 * (JIT, each analyser worker's first inferences): measured at 2 × the sustained rate, the first 3–5 s
 * of every 20 s run stored 6–11 frames/s against 13–17 after that (results/2026-12-01-local-saturate-cold), so an unwarmed run measures the start-up as much as the fault. The frames are
 * stored under their own camera id, which no count of an experiment includes.
 */
export async function warmUp(collector: string, cameraAgentKey: string): Promise<void> {
  const camera = 'lab-warmup';
  const auth = `Bearer ${await signCallerToken(cameraAgentKey, camera, 'POST', '/frames', 300)}`;
  for (let seq = 0; seq < WARM_UP_FRAMES; seq += 2) {
    await Promise.all(
      [seq, seq + 1].map((s) =>
        fetch(`${collector}/frames`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: auth },
          body: frameBody(camera, s),
          signal: AbortSignal.timeout(30_000),
        }).then((r) => r.arrayBuffer()),
      ),
    );
  }
}

/**
 * Counters of the pipeline's work, read beside the CPU: frames image-analysis analysed and those it
 * refused, requests the collector refused at its door, its clients' retries (client mode), and the
 * seconds image-analysis spent per stage and in its queue.
 */
export const WORK_COUNTERS: Record<string, { service: string; metric: string; labels?: Record<string, string> }> = {
  analysed: { service: 'image-analysis', metric: 'image_analysis_frames_total', labels: { outcome: 'ok' } },
  analysisShed: { service: 'image-analysis', metric: 'image_analysis_shed_total' },
  doorShed: { service: 'collector', metric: 'http_admission_shed_total' },
  retries: { service: 'collector', metric: 'client_retries_total' },
  // seconds image-analysis spent per stage and waiting for a worker (sums of its histograms)
  decodeSeconds: { service: 'image-analysis', metric: 'image_analysis_stage_seconds_sum', labels: { stage: 'decode' } },
  detectSeconds: { service: 'image-analysis', metric: 'image_analysis_stage_seconds_sum', labels: { stage: 'detect' } },
  attributesSeconds: {
    service: 'image-analysis',
    metric: 'image_analysis_stage_seconds_sum',
    labels: { stage: 'attributes' },
  },
  queueWaitSeconds: { service: 'image-analysis', metric: 'image_analysis_queue_wait_seconds_sum' },
};

/**
 * The whole machine's CPU seconds so far from Linux's /proc/stat (all cores): `busy` (user, nice,
 * system, irq, softirq) and `steal` (time the hypervisor gave the VM's cores to someone else).
 * Undefined where there is no /proc/stat.
 */
export function machineSeconds(stat = '/proc/stat'): { busy: number; steal: number } | undefined {
  if (!existsSync(stat)) return undefined;
  const line = readFileSync(stat, 'utf8').split('\n')[0];
  const [label, ...fields] = line.trim().split(/\s+/);
  if (label !== 'cpu') return undefined;
  // user nice system idle iowait irq softirq steal …, in USER_HZ ticks (100 per second on Linux)
  const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
  return { busy: (user + nice + system + irq + softirq) / 100, steal: (steal ?? 0) / 100 };
}

/**
 * CPU seconds so far of each service (its `process_cpu_seconds_total`) and of this process (`lab`),
 * the WORK_COUNTERS of the services among `names`, and the whole machine's busy and stolen seconds,
 * at a moment.
 */
export async function cpuSeconds(
  stack: { url(name: string): string },
  names: string[],
): Promise<{
  at: number;
  seconds: Record<string, number>;
  counts: Record<string, number>;
  machine?: { busy: number; steal: number };
}> {
  const seconds: Record<string, number> = {};
  const counts: Record<string, number> = {};
  for (const name of names) {
    const text = await metricsText(stack.url(name));
    seconds[name] = counterValue(text, 'process_cpu_seconds_total');
    for (const [key, c] of Object.entries(WORK_COUNTERS))
      if (c.service === name) counts[key] = counterValue(text, c.metric, c.labels);
  }
  const own = process.cpuUsage();
  seconds.lab = (own.user + own.system) / 1e6;
  return { at: performance.now(), seconds, counts, machine: machineSeconds() };
}
