/**
 * Memory bench: each service started as `npm start` and its container start it (the same bundle, the
 * same Node flags and environment), its resident memory at idle, after a warm-up, and at its peak
 * under the whole pipeline's load (every camera streaming frames with faces through the collector,
 * both analysers, the sections, alerts and both panels), printed beside the memory request and
 * limit of its Deployment in the rendered plain overlay.
 *
 *   npx nx run k8s:bench-memory -- --fps 4 --seconds 30 [--json results/bench/memory.json]
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  camerasDone,
  deploymentOf,
  overlayDir,
  quantityMillicores,
  renderedResources,
  stackCpuSeconds,
  stackHeapMiB,
  stackMemory,
  streamCameras,
  type ProcessMemory,
} from './memory.js';
import { DEFAULT_SERVICES, LocalStack, REPO_ROOT, withPortOffset } from '@airport-mesh/local-stack';

const { values } = parseArgs({
  options: {
    fps: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '30' },
    idle: { type: 'string', default: '10' },
    json: { type: 'string' },
  },
});
const fps = Number(values.fps);
const seconds = Number(values.seconds);
const idleSeconds = Number(values.idle);
if (!(fps > 0 && fps <= 30 && seconds > 0 && seconds <= 600 && idleSeconds >= 0))
  throw new Error('--fps in (0, 30], --seconds in (0, 600], --idle ≥ 0');

const services = withPortOffset(DEFAULT_SERVICES, 17_000);
const cameras = services.filter((s) => s.app === 'camera-agent');
const dir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
const stack = new LocalStack({ services, dataDir: dir, env: { LOG_LEVEL: 'warn', WATCHLIST_SEED: 'default' } });
const resources = await renderedResources(overlayDir(REPO_ROOT, 'plain'));

let idle: Record<string, ProcessMemory>;
let warm: Record<string, ProcessMemory>;
let peak: Record<string, ProcessMemory>;
let idleHeap: Record<string, number>;
let loadHeap: Record<string, number>;
// CPU: millicores averaged over the idle wait and over the load (from each process's CPU seconds).
let idleMillicores: Record<string, number>;
let loadMillicores: Record<string, number>;
const millicores = (from: Record<string, number>, to: Record<string, number>, ms: number) =>
  Object.fromEntries(Object.keys(to).map((k) => [k, ((to[k] - from[k]) * 1e6) / ms]));
try {
  await stack.start();
  console.log(`stack ready; idle for ${idleSeconds} s…`);
  const idleFrom = stackCpuSeconds(stack, services);
  const idleStart = Date.now();
  await sleep(idleSeconds * 1000);
  idle = stackMemory(stack, services);
  idleHeap = await stackHeapMiB(stack, services);
  idleMillicores = millicores(idleFrom, stackCpuSeconds(stack, services), Date.now() - idleStart);
  console.log(`warm-up: every camera, ${fps} frames/s, 5 s…`);
  await streamCameras(stack, cameras, fps, Math.ceil(fps * 5));
  await camerasDone(stack, cameras, 120_000);
  warm = stackMemory(stack, services);
  console.log(`load: ${cameras.length} cameras × ${fps} frames/s for ${seconds} s…`);
  const loadFrom = stackCpuSeconds(stack, services);
  const loadStart = Date.now();
  await streamCameras(stack, cameras, fps, Math.ceil(fps * seconds));
  await camerasDone(stack, cameras, seconds * 1000 + 120_000);
  loadMillicores = millicores(loadFrom, stackCpuSeconds(stack, services), Date.now() - loadStart);
  peak = stackMemory(stack, services);
  loadHeap = await stackHeapMiB(stack, services);
} finally {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
}

const rows = services.map((s) => {
  const r = resources.get(deploymentOf(s));
  return {
    service: s.name,
    deployment: deploymentOf(s),
    idleMiB: idle[s.name].rssMiB,
    idleHeapMiB: idleHeap[s.name],
    afterLoadHeapMiB: loadHeap[s.name],
    warmMiB: warm[s.name].rssMiB,
    peakMiB: peak[s.name].peakRssMiB,
    requestMiB: r?.requestMiB,
    limitMiB: r?.limitMiB,
    peakOfLimit: r?.limitMiB ? peak[s.name].peakRssMiB / r.limitMiB : undefined,
    idleMillicores: idleMillicores[s.name],
    loadMillicores: loadMillicores[s.name],
    requestMillicores: quantityMillicores(r?.requestCpu),
    limitMillicores: quantityMillicores(r?.limitCpu),
  };
});
const f = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(0));
const loadAverage = loadavg()
  .map((x) => x.toFixed(1))
  .join(' / ');
console.log(
  `\nmemory on ${cpus().length} × ${cpus()[0]?.model}, Node ${process.version}; load: ${cameras.length} cameras × ${fps} frames/s, ${seconds} s; ` +
    `machine load average at the end (1/5/15 min, this bench included) ${loadAverage}`,
);
console.log(
  '| service | idle RSS (MiB) | idle heap used (MiB) | after warm-up (MiB) | peak RSS under load (MiB) | heap used after the load (MiB) | request (MiB) | limit (MiB) | peak / limit | CPU idle (m) | CPU under load (m) | CPU request (m) | CPU limit (m) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows)
  console.log(
    `| ${r.service} | ${f(r.idleMiB)} | ${f(r.idleHeapMiB)} | ${f(r.warmMiB)} | ${f(r.peakMiB)} | ${f(r.afterLoadHeapMiB)} | ${f(r.requestMiB)} | ${f(r.limitMiB)} | ${r.peakOfLimit === undefined ? '–' : r.peakOfLimit.toFixed(2)} | ${f(r.idleMillicores)} | ${f(r.loadMillicores)} | ${f(r.requestMillicores)} | ${f(r.limitMillicores)} |`,
  );
if (values.json) {
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(
    values.json,
    JSON.stringify(
      { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, loadAverage, fps, seconds, rows },
      null,
      2,
    ) + '\n',
  );
}
