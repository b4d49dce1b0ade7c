/**
 * `npm start`: builds the apps (unless --no-build), starts the local stack, prints where everything is,
 * and stops all of it on Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVICES, withPortOffset } from './services.js';
import { LocalStack, REPO_ROOT } from './stack.js';
import { signInHelp } from './credentials.js';

const { values } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: join(REPO_ROOT, '.data') },
    'port-offset': { type: 'string', default: '0' },
    verbose: { type: 'boolean', short: 'v', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: npm start [-- --no-build] [--data-dir DIR] [--port-offset N] [--verbose]');
  process.exit(0);
}
// Every port moved by N (e.g. when another stack, or anything else, already holds 8080–8096).
const portOffset = Number(values['port-offset']);
if (!Number.isInteger(portOffset) || portOffset < 0 || portOffset > 50_000) {
  console.error(`--port-offset must be an integer from 0 to 50000, got ${values['port-offset']}`);
  process.exit(2);
}
const services = withPortOffset(DEFAULT_SERVICES, portOffset);

if (!values['no-build']) {
  console.log('building the apps (nx run-many -t build)…');
  execFileSync(
    join(REPO_ROOT, 'node_modules/.bin/nx'),
    ['run-many', '-t', 'build', '--projects=tag:type:app', '--output-style=static'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}

const levels: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
function show(name: string, line: string): void {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; context?: string; req?: unknown };
    if (!values.verbose && (entry.level ?? 30) < 40 && entry.context !== 'Bootstrap') return;
    console.log(`${name.padEnd(16)} ${levels[entry.level ?? 30] ?? entry.level} ${entry.msg ?? line}`);
  } catch {
    console.log(`${name.padEnd(16)} ${line}`);
  }
}

const stack = new LocalStack({ services, dataDir: values['data-dir'], onLog: show });
let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping the stack…');
  await stack.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());

const t0 = performance.now();
try {
  await stack.start({
    onReady: (name, readyMs) => console.log(`  ${name.padEnd(16)} ready in ${(readyMs / 1000).toFixed(1)} s`),
  });
} catch (error) {
  console.error(`\nthe stack did not start:\n${error instanceof Error ? error.message : String(error)}`);
  await stack.stop();
  process.exit(1);
}
console.log(`every service ready after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log('\nairport-mesh is running (Ctrl-C stops everything):\n');
for (const s of services) {
  console.log(`  ${s.name.padEnd(16)} http://127.0.0.1:${s.port}   Swagger UI http://127.0.0.1:${s.port}/docs`);
}
const url = (name: string) => `http://127.0.0.1:${services.find((s) => s.name === name)?.port}`;
const panels = services.filter((s) => s.app === 'cpanel');
if (panels.length) {
  console.log(
    `\nDashboard: ${panels.map((p) => `http://localhost:${p.port} (${p.env?.VERSION ?? 'v1'})`).join(', ')}: start the cameras there.`,
  );
}
console.log(
  `\n${signInHelp(
    stack.credentials,
    panels.map((p) => `http://localhost:${p.port}`),
  )}`,
);
console.log(`
Or by hand:
  curl -X POST -H 'Authorization: Bearer <operator token>' ${url('camera-agent-1')}/stream      # start camera 1
  curl ${url('camera-agent-1')}/state               # its state
  curl ${url('section-1')}/summary             # section 1 statistics
Data and logs: ${values['data-dir']}
`);
