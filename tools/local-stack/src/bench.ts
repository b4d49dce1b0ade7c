/**
 * Pipeline bench: sustained frames/s through the whole local stack (collector → image-analysis ∥
 * face-recognition → section), with 1280×720 frames of 3 faces, at a constant arrival rate (open
 * model), and end-to-end latency percentiles measured from each frame's intended send time.
 * Prints CPU seconds per service (process_cpu_seconds_total from each /metrics) and checks that
 * every acknowledged frame was stored.
 *
 * It first states this machine's own limit: model-build's calibration (fp32 conv peak on one and two
 * threads, in a child process before the stack starts) and the compute limit of a 3-face frame, and
 * prints the pipeline's throughput beside it as a ratio, with the CPU model. CPU per service is also
 * printed as ms of CPU per stored frame (the per-frame CPU budget of docs/performance.md).
 *
 *   npx nx run local-stack:bench -- --rate 15 --duration 30s [--workers N] [--json FILE]
 */
import { execFileSync } from 'node:child_process';
import { signCallerToken } from '@airport-mesh/platform/keys';
import { cpus, totalmem, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { formatSummary, parseDuration, runLoad } from '@airport-mesh/loadgen';
import { DEFAULT_SERVICES, withPortOffset } from './services.js';
import { LocalStack, REPO_ROOT } from './stack.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '15' },
    duration: { type: 'string', default: '30s' },
    warmup: { type: 'string', default: '5s' },
    json: { type: 'string' },
    threads: { type: 'string', default: '1' },
    workers: { type: 'string' },
  },
});
const rate = Number(values.rate);
const durationMs = parseDuration(values.duration!);
const warmupMs = parseDuration(values.warmup!);
if (!(rate > 0 && rate <= 200)) throw new Error(`--rate must be in (0, 200], got ${values.rate}`);

const services = withPortOffset(
  DEFAULT_SERVICES.filter((s) => !s.app.startsWith('camera-agent')),
  22_000,
);
const dir = mkdtempSync(join(tmpdir(), 'bench-'));
const stack = new LocalStack({
  services,
  dataDir: dir,
  env: {
    LOG_LEVEL: 'warn',
    VISION_THREADS: values.threads!,
    WATCHLIST_SEED: 'default',
    ...(values.workers && { ANALYSIS_WORKERS: values.workers }),
  },
});

interface Calibration {
  cpu: string;
  peaks: { threads: number; gflops: number }[];
  frame: { faces: number; gflop: number; limitMsOneThread: number; limitFpsTwoThreads: number };
}

/** model-build's calibration, in its own process before anything else runs. */
function calibrate(): Calibration {
  const tool = join(REPO_ROOT, 'tools', 'model-build', 'dist', 'tool', 'bench-calibration.js');
  const out = join(dir, 'calibration.json');
  const text = execFileSync(process.execPath, [tool, '--faces', '3', '--json', out], { encoding: 'utf8' });
  process.stdout.write(text);
  return JSON.parse(readFileSync(out, 'utf8')) as Calibration;
}

const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const frame = await sharp(readFileSync(join(demo, 'sample1.jpg')))
  .resize(1280, 720, { fit: 'contain' })
  .jpeg({ quality: 85 })
  .toBuffer();
const image = frame.toString('base64');

async function cpuSeconds(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of services) {
    const text = await (await fetch(`${stack.url(s.name)}/metrics`)).text();
    out[s.name] = Number(/^process_cpu_seconds_total(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(text)?.[1] ?? NaN);
  }
  return out;
}

let seq = 0;
// The bench's load is a camera: signed with the stack's camera-agent key (AUTH=app).
const cameraToken = await signCallerToken(
  stack.credentials.keys['camera-agent'].privateKey,
  'bench',
  'POST',
  '/frames',
  3600,
);
const load = (ms: number) =>
  runLoad({
    url: `${stack.url('collector')}/frames`,
    method: 'POST',
    rate,
    durationMs: ms,
    timeoutMs: 10_000,
    maxInFlight: 64,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${cameraToken}`,
    },
    body: () =>
      JSON.stringify({
        cameraId: 'bench',
        section: '1',
        event: 'entry',
        timestamp: new Date().toISOString(),
        seq: seq++,
        image,
      }),
  });

try {
  const calibration = calibrate();
  await stack.start().catch((err: unknown) => {
    // the data dir goes away with the stack: show why a service did not come up
    for (const s of services) {
      const tail = readFileSync(stack.logFile(s.name), 'utf8').trim().split('\n').slice(-5).join('\n');
      if (tail) console.error(`--- ${s.name}\n${tail}`);
    }
    throw err;
  });
  console.log(`warming up ${warmupMs} ms at ${rate} frames/s…`);
  await load(warmupMs);
  const before = await cpuSeconds();
  const storedBefore = (
    (await (await fetch(`${stack.url('section-1')}/statistics?limit=1`)).json()) as { total: number }
  ).total;
  console.log(`measuring ${durationMs} ms at ${rate} frames/s…`);
  const result = await load(durationMs);
  const after = await cpuSeconds();
  const storedAfter = (
    (await (await fetch(`${stack.url('section-1')}/statistics?limit=1`)).json()) as { total: number }
  ).total;
  const seconds = result.elapsedMs / 1000;
  const acknowledged = result.status['201'] ?? 0;
  const stored = storedAfter - storedBefore;
  const cpu = Object.fromEntries(services.map((s) => [s.name, (after[s.name] - before[s.name]) / seconds]));
  const report = {
    calibration,
    machine: {
      cpu: cpus()[0]?.model,
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    frame: { width: 1280, height: 720, faces: 3, bytes: frame.length },
    rate,
    durationMs,
    achievedFramesPerSecond: result.throughput.okRps,
    acknowledged,
    stored,
    lost: acknowledged - stored,
    errors: result.requests.errors + result.requests.dropped + (result.requests.responses - acknowledged),
    latencyMs: result.latencyMs,
    cpuCoresPerService: cpu,
    cpuCoresTotal: Object.values(cpu).reduce((a, b) => a + b, 0),
    cpuMsPerFrame: Object.fromEntries(
      Object.entries(cpu).map(([name, c]) => [name, Math.round((c / result.throughput.okRps) * 10000) / 10]),
    ),
  };
  console.log(formatSummary(result));
  console.log(
    `\npipeline: ${report.achievedFramesPerSecond.toFixed(1)} frames/s stored of ${rate} offered; p50 ${result.latencyMs?.p50} ms, p99 ${result.latencyMs?.p99} ms; acknowledged ${acknowledged}, stored ${stored}, lost ${report.lost}, failed ${report.errors}`,
  );
  const fps = report.achievedFramesPerSecond;
  const { frame: limit } = calibration;
  console.log(
    `= ${(fps / limit.limitFpsTwoThreads).toFixed(2)} of this machine's compute limit: ${limit.limitFpsTwoThreads.toFixed(1)} frames/s ` +
      `(${limit.gflop.toFixed(2)} GFLOP per ${limit.faces}-face frame at the two-thread fp32 peak of ${calibration.peaks.find((p) => p.threads === 2)?.gflops.toFixed(1)} GFLOPS, ${calibration.cpu})`,
  );
  console.log('CPU per service: cores busy, and ms of CPU per stored frame:');
  for (const [name, c] of Object.entries(cpu).sort((a, b) => b[1] - a[1]))
    console.log(`  ${name.padEnd(18)} ${c.toFixed(2)}  ${((c / fps) * 1000).toFixed(1).padStart(6)} ms`);
  console.log(
    `  ${'total'.padEnd(18)} ${report.cpuCoresTotal.toFixed(2)}  ${((report.cpuCoresTotal / fps) * 1000).toFixed(1).padStart(6)} ms  of ${cpus().length} cores (${report.machine.cpu})`,
  );
  if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
} finally {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}
