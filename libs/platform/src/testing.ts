import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { BaseEnv } from './config/base-env.js';
import { validateEnv } from './config/validate-env.js';
import { createService } from './bootstrap.js';
import type { ServiceDefinition } from './service-definition.js';

/**
 * The operator credential every test service gets unless a test sets its own OPERATOR_TOKEN; send
 * {@link testOperatorHeaders} with operator routes (camera control, watch list writes, face images).
 */
export const TEST_OPERATOR_TOKEN = 'test-operator-token-0123456789';
export const testOperatorHeaders: Record<string, string> = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };

/**
 * What a test service gets by default: AUTH=mesh (callers are not checked by the app, as behind the
 * mesh's AuthorizationPolicies) and the test operator token. Tests of the application check itself
 * pass AUTH=app and the keys (apps/*\/test/auth.spec.ts, tools/local-stack).
 */
export const TEST_AUTH_DEFAULTS: Record<string, string> = { AUTH: 'mesh', OPERATOR_TOKEN: TEST_OPERATOR_TOKEN };

/**
 * How every browser test launches Chromium (pass to playwright-core's `chromium.launch()`): Debian's
 * binary or `CHROMIUM_PATH`, headless, no sandbox (root in CI), and nothing fetched from the network.
 */
export function chromiumLaunchOptions(): { executablePath: string; args: string[] } {
  return {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  };
}

export interface TestService {
  app: NestFastifyApplication;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a service in this process on a free loopback port, exactly as `runService` builds it, for
 * integration tests that talk to it over real HTTP.
 */
export async function startTestService<E extends BaseEnv>(
  def: ServiceDefinition<E>,
  env: Record<string, string> = {},
): Promise<TestService> {
  const app = await createService(def, validateEnv(def.envClass, { LOG_LEVEL: 'warn', ...TEST_AUTH_DEFAULTS, ...env }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

export interface TestProcess {
  url: string;
  pid: number;
  /** Sends a signal and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** How long a test waits for a service process to be ready: several times what one needs alone on a busy 2-core machine. */
export const TEST_READY_TIMEOUT_MS = 45_000;

/**
 * Starts a built service (`dist/main.js`) as a real child process on `port` and waits for readiness.
 * For tests that need another service to talk to over real HTTP. Its stderr is passed through; when
 * it exits early or is not ready in time, the error carries the last lines of its own output.
 */
export async function startTestProcess(
  mainJs: string,
  port: number,
  env: Record<string, string> = {},
  timeoutMs = TEST_READY_TIMEOUT_MS,
): Promise<TestProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [mainJs], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...TEST_AUTH_DEFAULTS, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 40));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', (chunk: Buffer) => {
    keep(chunk);
    process.stderr.write(chunk);
  });
  const lastLines = () => (tail.length ? `; its last output:\n${tail.join('\n')}` : '; it printed nothing');
  let exitCode: number | string | null = null;
  const exited = new Promise<void>((done) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal;
      done();
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (;;) {
    if (gone) throw new Error(`${mainJs} exited (${exitCode}) before it was ready${lastLines()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${mainJs} not ready on ${url} after ${timeoutMs} ms${lastLines()}`);
    }
    const ok = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid ?? -1,
    kill: async (signal = 'SIGTERM') => {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
}
