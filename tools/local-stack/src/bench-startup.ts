/**
 * Start-up bench: how long each service takes from process start to `/health/ready` = 200, and the CPU
 * seconds it spent getting there, first each service alone, then the whole stack starting at once
 * (what `npm start` does). Services run as `npm start` and the containers run them
 * (`node apps/<app>/dist/main.js`), on ports moved by +23000.
 *
 *   npx nx run local-stack:bench-startup              # alone ×3 (median) and whole stack ×3
 *   npx nx run local-stack:bench-startup -- --runs 1 --json results/bench/startup.json
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVICES, type ServiceSpec, withPortOffset } from './services.js';
import { LocalStack } from './stack.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    json: { type: 'string' },
    only: { type: 'string' },
    timeout: { type: 'string', default: '180' },
  },
});
const runs = Number(values.runs);
if (!(Number.isInteger(runs) && runs >= 1 && runs <= 20)) throw new Error(`--runs must be 1..20, got ${values.runs}`);

const all = withPortOffset(DEFAULT_SERVICES, 23_000);
const services = values.only ? all.filter((s) => values.only!.split(',').includes(s.name)) : all;

interface Sample {
  readyMs: number;
  cpuSeconds: number;
  rssMiB: number;
}

async function startAndMeasure(specs: ServiceSpec[]): Promise<{ wallMs: number; per: Record<string, Sample> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  // The whole wiring (every URL) so each service boots with the configuration it has in the stack.
  const stack = new LocalStack({
    services: specs,
    wiringOf: all,
    dataDir: dir,
    env: { LOG_LEVEL: 'warn' },
    readyTimeoutMs: Number(values.timeout) * 1000,
  });
  const per: Record<string, Sample> = {};
  const t0 = performance.now();
  try {
    await stack.start({
      onReady: (name, readyMs) => {
        const usage = stack.usage(name);
        per[name] = { readyMs, cpuSeconds: usage.cpuSeconds, rssMiB: usage.rssMiB };
      },
    });
    return { wallMs: performance.now() - t0, per };
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ');
const loadBefore = load();
console.log(
  `start-up bench on ${cpus().length} × ${cpu}, Node ${process.version}, ${runs} run(s) each; load average (1/5/15 min) ${loadBefore}\n`,
);

const alone: Record<string, Sample[]> = {};
for (let r = 0; r < runs; r++) {
  for (const spec of services) {
    const { per } = await startAndMeasure([spec]);
    (alone[spec.name] ??= []).push(per[spec.name]);
  }
}
const together: { wallMs: number; per: Record<string, Sample> }[] = [];
for (let r = 0; r < runs; r++) together.push(await startAndMeasure(services));

const fmt = (ms: number) => (ms / 1000).toFixed(2);
const rows = services.map((s) => {
  const a = alone[s.name];
  const t = together.map((x) => x.per[s.name]);
  return {
    service: s.name,
    aloneReadyS: median(a.map((x) => x.readyMs)) / 1000,
    aloneCpuS: median(a.map((x) => x.cpuSeconds)),
    aloneRssMiB: median(a.map((x) => x.rssMiB)),
    stackReadyS: median(t.map((x) => x.readyMs)) / 1000,
    stackCpuS: median(t.map((x) => x.cpuSeconds)),
  };
});
console.log(
  '| service | alone: ready (s) | alone: CPU (s) | alone: RSS at ready (MiB) | whole stack: ready (s) | whole stack: CPU (s) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.service} | ${r.aloneReadyS.toFixed(2)} | ${r.aloneCpuS.toFixed(2)} | ${r.aloneRssMiB.toFixed(0)} | ${r.stackReadyS.toFixed(2)} | ${r.stackCpuS.toFixed(2)} |`,
  );
}
const wall = median(together.map((x) => x.wallMs));
const cpuTotal = median(together.map((x) => Object.values(x.per).reduce((sum, p) => sum + p.cpuSeconds, 0)));
// This machine's own limit: the stack cannot be ready before its CPU seconds are spread over every core.
const floorS = cpuTotal / cpus().length;
const loadAfter = load();
console.log(
  `\nwhole stack (${services.length} processes) ready in ${fmt(wall)} s (median of ${runs}; runs: ${together.map((x) => fmt(x.wallMs)).join(', ')} s), ` +
    `${cpuTotal.toFixed(1)} CPU s in all; this machine's floor for that work is ${floorS.toFixed(1)} s ` +
    `(CPU s / ${cpus().length} cores): ready time / floor = ${(wall / 1000 / floorS).toFixed(2)}; load average after ${loadAfter}`,
);

if (values.json) {
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(
    values.json,
    JSON.stringify(
      {
        cpu,
        cores: cpus().length,
        node: process.version,
        runs,
        loadAverage: { before: loadBefore, after: loadAfter },
        rows,
        wholeStack: { wallS: wall / 1000, cpuS: cpuTotal, floorS, readyOverFloor: wall / 1000 / floorS },
      },
      null,
      2,
    ) + '\n',
  );
}
