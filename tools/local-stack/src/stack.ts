import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ServiceSpec, wiring } from './services.js';
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
  readyTimeoutMs?: number;
}

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
  log: WriteStream;
}

/** The system as plain Node.js processes: started, watched, killed and restarted like pods would be. */
export class LocalStack {
  private readonly running = new Map<string, Running>();
  private readonly shared: Record<string, string>;
  /** The operator token and the services' keys (docs/security.md), kept in the data folder. */
  readonly credentials: StackCredentials;

  constructor(private readonly options: StackOptions) {
    this.shared = wiring(options.services);
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

  /** Starts every service (in order) and waits until each is ready. */
  async start(): Promise<void> {
    for (const spec of this.options.services) this.launch(spec);
    await Promise.all(this.options.services.map((s) => this.waitReady(s.name)));
  }

  private launch(spec: ServiceSpec): void {
    const main = join(REPO_ROOT, 'apps', spec.app, 'dist', 'main.js');
    const env = {
      ...process.env,
      ...this.shared,
      ...credentialEnv(this.credentials, spec.app),
      ...this.options.env,
      ...spec.env,
      PORT: String(spec.port),
      HOST: '127.0.0.1',
      DB_PATH: join(this.options.dataDir, `${spec.name}.db`),
    };
    const child = spawn(process.execPath, ['--enable-source-maps', main], {
      env,
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(this.logFile(spec.name), { flags: 'a' });
    const exited = new Promise<number | null>((done) =>
      child.once('exit', (code, signal) => done(code ?? (signal ? -1 : null))),
    );
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        log.write(chunk);
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line) this.options.onLog?.(spec.name, line);
      });
    }
    this.running.set(spec.name, { spec, child, exited, log });
  }

  /** Polls `/health/ready` until 200; fails early if the process exits. */
  async waitReady(name: string, timeoutMs = this.options.readyTimeoutMs ?? 60_000): Promise<void> {
    const running = this.running.get(name);
    if (!running) throw new Error(`${name} is not running`);
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | null | undefined;
    void running.exited.then((code) => (exitCode = code));
    while (Date.now() < deadline) {
      if (exitCode !== undefined)
        throw new Error(`${name} exited with ${exitCode} before it was ready; see ${this.logFile(name)}`);
      try {
        const res = await fetch(`${this.url(name)}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${name} not ready after ${timeoutMs} ms; see ${this.logFile(name)}`);
  }

  /** Sends a signal (SIGKILL to simulate a crash, SIGTERM for a graceful stop) and waits for the exit. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const running = this.running.get(name);
    if (!running) return null;
    running.child.kill(signal);
    const code = await running.exited;
    running.log.end();
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
