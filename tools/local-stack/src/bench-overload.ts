/**
 * Overload bench of image-analysis alone: does it shed instead of collapsing, and do its probes stay
 * answered while every worker is busy?
 *
 * 1. Starts image-analysis (ports +23000; ANALYSIS_WORKERS from --workers, else its default).
 * 2. Sustainable rate S: a closed loop of `workers` clients posting the 3-face 1280×720 JPEG for
 *    --calibrate seconds (frames/s analysed).
 * 3. Probes alone (idle), then an open-model load at --factor × S (default 2×) for --duration, while a
 *    separate thread probes /health/live, /health/ready and /metrics every 100 ms (each with a 1 s
 *    timeout, like a kubelet would).
 * Prints goodput (200s/s) against S, latency of the accepted frames, how fast the refused ones were
 * refused, the shed counters from /metrics, and the probes' p50/p99/max, with the CPU model.
 *
 *   npx nx run local-stack:bench-overload -- [--factor 2] [--duration 30s] [--workers N] [--json FILE]
 */
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { parseDuration, runLoad } from '@airport-mesh/loadgen';
import { signCallerToken } from '@airport-mesh/platform/keys';
import { DEFAULT_SERVICES, withPortOffset } from './services.js';
import { LocalStack } from './stack.js';

const { values } = parseArgs({
  options: {
    factor: { type: 'string', default: '2' },
    duration: { type: 'string', default: '30s' },
    calibrate: { type: 'string', default: '10s' },
    workers: { type: 'string' },
    json: { type: 'string' },
  },
});
const factor = Number(values.factor);
const durationMs = parseDuration(values.duration!);
const calibrateMs = parseDuration(values.calibrate!);

const services = withPortOffset(
  DEFAULT_SERVICES.filter((s) => s.app === 'image-analysis'),
  23_000,
);
const dir = mkdtempSync(join(tmpdir(), 'bench-overload-'));
const stack = new LocalStack({
  services,
  dataDir: dir,
  env: { LOG_LEVEL: 'warn', ...(values.workers && { ANALYSIS_WORKERS: values.workers }) },
});
const base = stack.url('image-analysis');

// the local-stack bench's frame: sample1 (3 faces) letterboxed to 1280×720
const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const frame = await sharp(readFileSync(join(demo, 'sample1.jpg')))
  .resize(1280, 720, { fit: 'contain' })
  .jpeg({ quality: 85 })
  .toBuffer();

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels));
  return Number(line?.split(' ').pop() ?? NaN);
}

// The bench calls image-analysis as the collector does: signed with the stack's collector key (AUTH=app)
const headers = {
  'content-type': 'image/jpeg',
  authorization: `Bearer ${await signCallerToken(stack.credentials.keys.collector.privateKey, 'bench-overload', 'POST', '/analyze', 3600)}`,
};
const post = () => fetch(`${base}/analyze`, { method: 'POST', headers, body: frame });

/** Frames/s with `clients` requests always outstanding. */
async function sustainable(clients: number, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const res = await post();
        const body = await res.text();
        if (res.status === 200) done++;
        // a closed loop never overloads the pool: anything else is a broken bench, not a measurement
        else throw new Error(`POST /analyze answered ${res.status} in the closed loop: ${body.slice(0, 300)}`);
      }
    }),
  );
  return done / (ms / 1000);
}

interface ProbeStats {
  path: string;
  count: number;
  failed: number;
  p50: number;
  p99: number;
  max: number;
}

/** Probes every 100 ms from their own thread (the load generator's event loop does not delay them). */
function probe(ms: number): Promise<ProbeStats[]> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { base, ms } = workerData;
    const paths = ['/health/live', '/health/ready', '/metrics'];
    const times = Object.fromEntries(paths.map((p) => [p, []]));
    const failed = Object.fromEntries(paths.map((p) => [p, 0]));
    (async () => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        const tick = performance.now();
        await Promise.all(paths.map(async (p) => {
          const t = performance.now();
          try {
            const res = await fetch(base + p, { signal: AbortSignal.timeout(1000) });
            await res.arrayBuffer();
            if (res.status !== 200) failed[p]++;
            times[p].push(performance.now() - t);
          } catch { failed[p]++; times[p].push(1000); }
        }));
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - tick))));
      }
      parentPort.postMessage(paths.map((p) => {
        const s = times[p].sort((a, b) => a - b);
        const q = (x) => s[Math.min(s.length - 1, Math.floor(x * s.length))];
        return { path: p, count: s.length, failed: failed[p], p50: q(0.5), p99: q(0.99), max: s[s.length - 1] };
      }));
    })();`;
  const worker = new Worker(code, { eval: true, workerData: { base, ms } });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: ProbeStats[]) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

const fmtProbes = (ps: ProbeStats[]) =>
  ps
    .map(
      (p) =>
        `  ${p.path.padEnd(14)} p50 ${p.p50.toFixed(1).padStart(6)} ms  p99 ${p.p99.toFixed(1).padStart(6)} ms  max ${p.max.toFixed(1).padStart(6)} ms  (${p.count} probes, ${p.failed} failed)`,
    )
    .join('\n');

try {
  await stack.start();
  const workers = await metric('image_analysis_workers');
  const queueLimit = await metric('image_analysis_queue_limit');
  console.log(
    `image-analysis: ${workers} workers, queue ${queueLimit}; CPU ${cpus()[0]?.model} × ${cpus().length}; node ${process.version}`,
  );
  await sustainable(workers, 3000); // warm-up
  const rate = await sustainable(workers, calibrateMs);
  console.log(`sustainable rate (closed loop, ${workers} clients, ${calibrateMs} ms): ${rate.toFixed(1)} frames/s`);
  const idle = await probe(3000);
  console.log(`probes, idle:\n${fmtProbes(idle)}`);

  const shedBefore = {
    queue_full: await metric('image_analysis_shed_total', 'reason="queue_full"'),
    deadline: await metric('image_analysis_shed_total', 'reason="deadline"'),
    caller_gone: await metric('image_analysis_shed_total', 'reason="caller_gone"'),
  };
  const offered = rate * factor;
  console.log(`offering ${offered.toFixed(1)} frames/s (${factor}× sustainable) for ${durationMs} ms…`);
  const [load, busy] = await Promise.all([
    runLoad({
      url: `${base}/analyze`,
      method: 'POST',
      rate: offered,
      durationMs,
      timeoutMs: 10_000,
      maxInFlight: 256,
      headers,
      body: frame,
    }),
    probe(durationMs),
  ]);
  const shed = {
    queue_full: (await metric('image_analysis_shed_total', 'reason="queue_full"')) - shedBefore.queue_full,
    deadline: (await metric('image_analysis_shed_total', 'reason="deadline"')) - shedBefore.deadline,
    caller_gone: (await metric('image_analysis_shed_total', 'reason="caller_gone"')) - shedBefore.caller_gone,
  };
  // one refused request, looked at closely: status, Retry-After, problem body
  const burst = await Promise.all(Array.from({ length: workers + queueLimit + 4 }, () => post()));
  const refused = burst.find((r) => r.status === 503);
  const refusedBody = refused ? await refused.text() : '';
  await Promise.all(burst.map((r) => r.arrayBuffer().catch(() => undefined)));

  const goodput = load.throughput.okRps;
  const report = {
    machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
    workers,
    queueLimit,
    sustainableFps: rate,
    offeredFps: offered,
    goodputFps: goodput,
    goodputShare: goodput / rate,
    status: load.status,
    errors: load.requests.errors,
    acceptedLatencyMs: load.okLatencyMs,
    allLatencyMs: load.latencyMs,
    shed,
    refusedExample: refused
      ? {
          status: refused.status,
          retryAfter: refused.headers.get('retry-after'),
          contentType: refused.headers.get('content-type'),
          body: JSON.parse(refusedBody) as unknown,
        }
      : null,
    probesIdle: idle,
    probesOverload: busy,
  };
  console.log(
    `goodput ${goodput.toFixed(1)} frames/s = ${((goodput / rate) * 100).toFixed(0)} % of the sustainable rate; ` +
      `status ${JSON.stringify(load.status)}, ${load.requests.errors} errors`,
  );
  console.log(
    `accepted frames: p50 ${load.okLatencyMs?.p50} ms, p99 ${load.okLatencyMs?.p99} ms; all answers: p50 ${load.latencyMs?.p50} ms, p99 ${load.latencyMs?.p99} ms`,
  );
  console.log(`shed (from /metrics): ${JSON.stringify(shed)}`);
  if (report.refusedExample)
    console.log(
      `a refused request: ${refused!.status}, Retry-After ${report.refusedExample.retryAfter}, ${report.refusedExample.contentType}: ${refusedBody}`,
    );
  console.log(`probes at ${factor}× overload:\n${fmtProbes(busy)}`);
  if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
} finally {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}
