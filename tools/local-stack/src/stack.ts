import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_FLAGS, PROCESS_ENV, type ServiceSpec, wiring } from './services.js';
import { type StackCredentials, credentialEnv, loadOrCreateCredentials } from './credentials.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');

export interface StackOptions {
  services: ServiceSpec[];
  /** Where SQLite files and logs go. */
  dataDir: string;
  /** Extra environment for every service (e.g. LOG_LEVEL). */
  env?: Record<string, string>;
  /** Called with each log line of each service, already prefixed; default: nothing. */
  onLog?: (name: string, line: string) => void;
  /**
   * How long a service may take to become ready. The default is bounded by measurement: the whole
   * stack starting at once on a 2-core machine that is also busy with other work
   * (`nx run local-stack:bench-startup`, docs/performance.md) needs well under a quarter of it.
   */
  readyTimeoutMs?: number;
  /** The services whose addresses wire the stack (default: `services`); a subset can start wired to all. */
  wiringOf?: ServiceSpec[];
}

/** Lines of a service's output kept in memory, printed when it fails to start or exits. */
const TAIL_LINES = 40;
export const DEFAULT_READY_TIMEOUT_MS = 60_000;

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
  log: WriteStream;
  tail: string[];
  startedAt: number;
}

/** The system as plain Node.js processes: started, watched, killed and restarted like pods would be. */
export class LocalStack {
  private readonly running = new Map<string, Running>();
  private readonly shared: Record<string, string>;
  /** The operator token and the services' keys (docs/security.md), kept in the data folder. */
  readonly credentials: StackCredentials;

  constructor(private readonly options: StackOptions) {
    this.shared = wiring(options.wiringOf ?? options.services);
    mkdirSync(join(options.dataDir, 'logs'), { recursive: true });
    this.credentials = loadOrCreateCredentials(options.dataDir);
  }

  /** Headers that carry the operator credential (camera control, watch list writes, face images). */
  get operatorHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.credentials.operatorToken}` };
  }

  spec(name: string): ServiceSpec {
    const spec = this.options.services.find((s) => s.name === name);
    if (!spec) throw new Error(`no service ${name} in this stack`);
    return spec;
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.spec(name).port}`;
  }

  logFile(name: string): string {
    return join(this.options.dataDir, 'logs', `${name}.log`);
  }

  /**
   * Starts every service at once and waits until each is ready; `onReady` gets each one's time from
   * its launch to its first ready answer. If one fails, the others are still waited for (or stopped
   * by the caller) and the error names every service that failed, with the end of its output.
   */
  async start(hooks: { onReady?: (name: string, readyMs: number) => void } = {}): Promise<void> {
    for (const spec of this.options.services) this.launch(spec);
    const results = await Promise.allSettled(
      this.options.services.map(async (s) => {
        await this.waitReady(s.name);
        hooks.onReady?.(s.name, performance.now() - this.running.get(s.name)!.startedAt);
      }),
    );
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
    if (failures.length) throw new Error(failures.join('\n\n'));
  }

  /** The process id of a running service. */
  pid(name: string): number {
    const pid = this.running.get(name)?.child.pid;
    if (!pid) throw new Error(`${name} is not running`);
    return pid;
  }

  /** CPU seconds (user + system) the service's process has used so far, and its resident memory. */
  usage(name: string): { cpuSeconds: number; rssMiB: number } {
    const pid = this.pid(name);
    // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks (USER_HZ = 100 on Linux).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / 100;
    const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return { cpuSeconds, rssMiB: rssKiB / 1024 };
  }

  /** The last lines the service printed (kept in memory: they outlive the data directory). */
  tail(name: string): string {
    return (this.running.get(name)?.tail ?? this.lastTail.get(name) ?? []).join('\n');
  }

  private readonly lastTail = new Map<string, string[]>();

  private failure(name: string, what: string): Error {
    const tail = this.tail(name);
    return new Error(
      `${name} ${what}; its last output (${this.logFile(name)}):\n` +
        (tail ? tail.replace(/^/gm, `  ${name} | `) : `  ${name} | (nothing printed)`),
    );
  }

  private launch(spec: ServiceSpec): void {
    const main = join(REPO_ROOT, 'apps', spec.app, 'dist', 'main.js');
    const env = {
      ...process.env,
      ...PROCESS_ENV,
      ...this.shared,
      ...credentialEnv(this.credentials, spec.app),
      ...this.options.env,
      ...spec.env,
      PORT: String(spec.port),
      HOST: '127.0.0.1',
      DB_PATH: join(this.options.dataDir, `${spec.name}.db`),
    };
    const child = spawn(process.execPath, [...NODE_FLAGS, main], {
      env,
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(this.logFile(spec.name), { flags: 'a' });
    const tail: string[] = [];
    const exited = new Promise<number | null>((done) =>
      child.once('exit', (code, signal) => done(code ?? (signal ? -1 : null))),
    );
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          if (!line) continue;
          tail.push(line);
          if (tail.length > TAIL_LINES) tail.shift();
          this.options.onLog?.(spec.name, line);
        }
      });
    }
    this.running.set(spec.name, { spec, child, exited, log, tail, startedAt: performance.now() });
  }

  /** Polls `/health/ready` until 200; fails early if the process exits. */
  async waitReady(name: string, timeoutMs = this.options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    const running = this.running.get(name);
    if (!running) throw new Error(`${name} is not running`);
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void running.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw this.failure(name, `exited with ${exitCode} before it was ready`);
      try {
        const res = await fetch(`${this.url(name)}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw this.failure(name, `not ready after ${timeoutMs} ms`);
  }

  /** Sends a signal (SIGKILL to simulate a crash, SIGTERM for a graceful stop) and waits for the exit. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const running = this.running.get(name);
    if (!running) return null;
    running.child.kill(signal);
    const code = await running.exited;
    running.log.end();
    this.lastTail.set(name, running.tail);
    this.running.delete(name);
    return code;
  }

  async restart(name: string): Promise<void> {
    await this.kill(name, 'SIGTERM');
    this.launch(this.spec(name));
    await this.waitReady(name);
  }

  /** Starts a service that was killed, and waits until it is ready. */
  async revive(name: string): Promise<void> {
    if (this.running.has(name)) throw new Error(`${name} is still running`);
    this.launch(this.spec(name));
    await this.waitReady(name);
  }

  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  /** Stops everything gracefully (SIGTERM), cameras first so no frame is cut off mid-way. */
  async stop(): Promise<void> {
    const order = [...this.running.keys()].reverse();
    for (const name of order) await this.kill(name, 'SIGTERM');
  }
}
