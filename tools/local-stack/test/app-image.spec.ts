/**
 * What a container image holds, checked for real without Docker: for each app, the Dockerfile's own
 * steps (tools/scripts/app-image.sh: the manifests, `npm ci --omit=dev --workspace=apps/<app>`, the
 * built libraries and app) are run into an empty folder, and the app is started from there. An app
 * that imports a package its workspace does not declare fails here instead of in a cluster; and no
 * test, build or benchmark tool is in any app's install.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { NODE_FLAGS, PROCESS_ENV, REPO_ROOT } from '../src/index.js';

const SCRIPT = join(REPO_ROOT, 'tools/scripts/app-image.sh');
const APPS: { app: string; status: string; env?: Record<string, string> }[] = [
  { app: 'section', status: 'Section 1 v1 : Online' },
  { app: 'alerts', status: 'Alerts v1 : Online' },
  { app: 'collector', status: 'Collector v1 : Online' },
  { app: 'camera-agent', status: 'Camera 1 v1 : Online' },
  // In the cluster the cameras file is a ConfigMap mounted at /config (deploy/base/cpanel), not in the image.
  {
    app: 'cpanel',
    status: 'CPanel v1 : Online',
    env: { CAMERAS_FILE: join(REPO_ROOT, 'deploy/base/cpanel/cameras.json') },
  },
  { app: 'image-analysis', status: 'Image Analysis v1 : Online' },
  { app: 'face-recognition', status: 'Face Recognition v1 : Online' },
];
/** Packages that only tests, builds and benchmarks use: never in an app's image. */
const TOOLS = [
  'jest',
  'nx',
  'typescript',
  'playwright-core',
  '@vladmandic/human',
  'hdr-histogram-js',
  '@tensorflow/tfjs',
  'aws-cdk-lib',
  '@aws-cdk/lambda-layer-kubectl-v34',
  'eslint',
  '@swc/core',
];

describe('container image contents (the Dockerfile steps, without Docker)', () => {
  let work: string;
  let manifests: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'app-image-'));
    manifests = join(work, 'manifests');
    execFileSync(SCRIPT, ['manifests', REPO_ROOT, manifests], { stdio: 'inherit' });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(APPS)(
    '$app starts from its own runtime dependencies only',
    async ({ app, status, env }) => {
      const dir = join(work, `${app}-deps`);
      execFileSync('cp', ['-a', manifests, dir]);
      execFileSync(SCRIPT, ['install', dir, app], { stdio: ['ignore', 'ignore', 'inherit'] });
      const out = join(work, `${app}-image`);
      execFileSync(SCRIPT, ['assemble', dir, REPO_ROOT, out, app], { stdio: 'inherit' });

      const installed = readdirSync(join(out, 'node_modules')).flatMap((name) =>
        name.startsWith('@') ? readdirSync(join(out, 'node_modules', name)).map((n) => `${name}/${n}`) : [name],
      );
      expect(installed.filter((name) => TOOLS.includes(name))).toEqual([]);

      const port = 31_000 + APPS.findIndex((a) => a.app === app);
      const child = spawn(process.execPath, ['app/dist/main.js'], {
        cwd: out,
        env: {
          PATH: process.env.PATH,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          DB_PATH: join(work, `${app}.db`),
          SHUTDOWN_DELAY_MS: '0',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const exited = new Promise<number | null>((done) => child.once('exit', done));
      try {
        let ready = false;
        for (const t0 = Date.now(); !ready && Date.now() - t0 < 60_000 && child.exitCode === null;) {
          ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
            (r) => r.status === 200,
            () => false,
          );
          if (!ready) await sleep(200);
        }
        if (!ready) throw new Error(`${app} from its image contents did not become ready:\n${output.slice(-4000)}`);
        expect(await (await fetch(`http://127.0.0.1:${port}/status`)).text()).toBe(status);
        expect(existsSync(join(out, 'app', 'dist', 'main.js'))).toBe(true);
      } finally {
        child.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
        rmSync(out, { recursive: true, force: true });
      }
    },
    300_000,
  );
});

test('the image and `nx serve` run Node with the flags and process environment of the local stack', () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  // the runtime stage: the last ENV and CMD of the file
  const envLine = [...dockerfile.matchAll(/^ENV (.+)$/gm)].pop()![1];
  const imageEnv = Object.fromEntries(envLine.split(/\s+/).map((kv) => kv.split('=')));
  expect(imageEnv).toMatchObject(PROCESS_ENV);
  const cmd = JSON.parse([...dockerfile.matchAll(/^CMD (\[.+\])$/gm)].pop()![1]) as string[];
  expect(cmd.slice(0, NODE_FLAGS.length)).toEqual(NODE_FLAGS);
  const serve = JSON.parse(readFileSync(join(REPO_ROOT, 'nx.json'), 'utf8')).targetDefaults.serve.options;
  expect(serve.env).toEqual(PROCESS_ENV);
  expect(serve.command).toContain(`node ${NODE_FLAGS.join(' ')} dist/main.js`);
});
