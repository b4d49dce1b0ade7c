/**
 * Runs the fuzzer against a real local stack (every service a process, AUTH=app with generated
 * credentials): per service, its OpenAPI document's operations, requests from {@link requestsFor}
 * with a fixed seed, each checked: no 5xx, a problem body on every 4xx, no change in the service's
 * stores when a write was refused, and every process still alive.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import sharp from 'sharp';
import { ACCEPTED_CALLERS, type Caller, signCallerToken } from '@airport-mesh/platform/keys';
import { DEFAULT_SERVICES, LocalStack, REPO_ROOT, withPortOffset } from '@airport-mesh/local-stack';
import { type FuzzRequest, type Images, requestsFor } from './mutate.js';
import type { OpenApiDocument, Samples } from './schema.js';

/** The services fuzzed (one process of each app) and what their stores look like from outside. */
export const TARGETS: { service: string; app: string; stores: { service: string; path: string }[] }[] = [
  { service: 'section-1', app: 'section', stores: [{ service: 'section-1', path: '/statistics?limit=5' }] },
  { service: 'alerts', app: 'alerts', stores: [{ service: 'alerts', path: '/alerts?limit=5' }] },
  { service: 'face-recognition', app: 'face-recognition', stores: [{ service: 'face-recognition', path: '/persons' }] },
  { service: 'image-analysis', app: 'image-analysis', stores: [] },
  {
    service: 'collector',
    app: 'collector',
    stores: [
      { service: 'section-1', path: '/statistics?limit=5' },
      { service: 'section-2', path: '/statistics?limit=5' },
      { service: 'alerts', path: '/alerts?limit=5' },
    ],
  },
  { service: 'camera-agent-1', app: 'camera-agent', stores: [{ service: 'camera-agent-1', path: '/state' }] },
  { service: 'cpanel', app: 'cpanel', stores: [{ service: 'cpanel', path: '/analysis' }] },
];

/** Not fuzzed: the chaos API injects 5xx on purpose (an operator's tool, behind its own token), and docs. */
const SKIPPED = /^\/(chaos|docs|openapi)/;

export interface OperationReport {
  operation: string;
  requests: number;
  statuses: Record<string, number>;
  kinds: Record<string, number>;
}

export interface ServiceReport {
  service: string;
  requests: number;
  serverErrors: number;
  missingProblemBodies: number;
  storedWhenRefused: number;
  networkErrors: number;
  processExits: number;
  operations: OperationReport[];
  failures: string[];
}

export interface FuzzOptions {
  requestsPerService: number;
  seed: number;
  /** Only these services (default: all of TARGETS). */
  services?: string[];
  portOffset?: number;
  log?: (line: string) => void;
  /** Called after each service with the report so far (the long run writes it as it goes). */
  onProgress?: (report: FuzzReport) => void;
}

export interface FuzzReport {
  seed: number;
  requestsPerService: number;
  cpu: string;
  startedAt: string;
  durationSeconds: number;
  services: ServiceReport[];
}

async function makeImages(): Promise<Images> {
  const faceApi = dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json'));
  const sample = readFileSync(join(faceApi, 'demo/sample1.jpg'));
  const jpeg = new Uint8Array(await sharp(sample).resize(240).jpeg({ quality: 80 }).toBuffer());
  const png = new Uint8Array(await sharp(sample).resize(32).png().toBuffer());
  return { jpeg, png };
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'fuzz-'));
  const services = withPortOffset(DEFAULT_SERVICES, options.portOffset ?? 2500);
  const stack = new LocalStack({
    services,
    dataDir,
    env: { LOG_LEVEL: 'warn', REFRESH_INTERVAL_MS: '0' },
    readyTimeoutMs: 180_000,
  });
  const images = await makeImages();
  const samples: Samples = { jpegBase64: Buffer.from(images.jpeg).toString('base64'), cameraId: '1', section: '1' };
  const operator = { authorization: `Bearer ${stack.credentials.operatorToken}` };
  const reports: ServiceReport[] = [];
  try {
    log(`starting the local stack (${services.length} processes, AUTH=app)…`);
    await stack.start();
    const alive = async (): Promise<string[]> => {
      const dead: string[] = [];
      for (const s of services) {
        const ok = await fetch(`${stack.url(s.name)}/health/live`, { signal: AbortSignal.timeout(5000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (!ok) dead.push(s.name);
      }
      return dead;
    };
    const snapshot = async (stores: { service: string; path: string }[]) => {
      const parts: string[] = [];
      for (const s of stores) {
        const res = await fetch(`${stack.url(s.service)}${s.path}`, { signal: AbortSignal.timeout(10_000) });
        parts.push(`${res.status}:${hashOf(await res.text())}`);
      }
      return parts.join(',');
    };
    const stopCameras = async () => {
      for (const s of services.filter((x) => x.app === 'camera-agent'))
        await fetch(`${stack.url(s.name)}/stream`, { method: 'DELETE', headers: operator }).catch(() => undefined);
    };

    for (const target of TARGETS.filter((t) => !options.services || options.services.includes(t.service))) {
      const doc = JSON.parse(
        readFileSync(join(REPO_ROOT, 'apps', target.app, 'openapi.json'), 'utf8'),
      ) as OpenApiDocument;
      const ops = Object.entries(doc.paths)
        .filter(([path]) => !SKIPPED.test(path))
        .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
      const report: ServiceReport = {
        service: target.service,
        requests: 0,
        serverErrors: 0,
        missingProblemBodies: 0,
        storedWhenRefused: 0,
        networkErrors: 0,
        processExits: 0,
        operations: [],
        failures: [],
      };
      const base = stack.url(target.service);
      // at least requestsPerService in all (the same count for every operation, rounded up)
      const perOp = Math.max(1, Math.ceil(options.requestsPerService / ops.length));
      log(`${target.service}: ${ops.length} operations × ${perOp} requests`);
      for (const [index, { path, method, op }] of ops.entries()) {
        const name = `${method.toUpperCase()} ${path}`;
        const opReport: OperationReport = { operation: name, requests: 0, statuses: {}, kinds: {} };
        report.operations.push(opReport);
        const secured = Boolean(op.security?.length);
        // Which credential the route wants: try the operator's; a 401/403 means a service's.
        let credential: 'operator' | Caller | undefined;
        if (secured) {
          const probe = await fetch(`${base}${path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000')}`, {
            method: method.toUpperCase(),
            headers: operator,
          });
          await probe.arrayBuffer();
          credential = probe.status === 401 || probe.status === 403 ? ACCEPTED_CALLERS[target.app][0] : 'operator';
        }
        const arb = requestsFor({ doc, path, method, op, samples, images });
        let current = await snapshot(target.stores);
        const requests = fc.sample(arb, { seed: options.seed + index * 7919, numRuns: perOp });
        for (const request of requests) {
          await send(request);
        }
        await stopCameras();

        async function send(request: FuzzRequest) {
          const headers: Record<string, string> = { ...request.headers };
          if (credential && !headers.authorization && !headers.cookie) {
            if (credential === 'operator') Object.assign(headers, operator);
            else {
              const pathname = request.path.split('?')[0];
              headers.authorization = `Bearer ${await signCallerToken(stack.credentials.keys[credential].privateKey, credential, request.method, pathname)}`;
            }
          }
          const write = request.method !== 'GET' && request.method !== 'HEAD';
          report.requests += 1;
          opReport.requests += 1;
          opReport.kinds[request.kind] = (opReport.kinds[request.kind] ?? 0) + 1;
          let status: number;
          let type = '';
          let text = '';
          try {
            const res = await fetch(`${base}${request.path}`, {
              method: request.method,
              headers,
              body: request.body as BodyInit | undefined,
              signal: AbortSignal.timeout(60_000),
            });
            status = res.status;
            type = res.headers.get('content-type') ?? '';
            // A live stream (the dashboard's /events) never ends: its status and headers are the answer.
            if (type.startsWith('text/event-stream')) await res.body?.cancel();
            else text = await res.text();
          } catch (error) {
            report.networkErrors += 1;
            opReport.statuses.network = (opReport.statuses.network ?? 0) + 1;
            if (report.failures.length < 20)
              report.failures.push(`${name} ${request.kind}: network error ${(error as Error).cause ?? error}`);
            return;
          }
          opReport.statuses[status] = (opReport.statuses[status] ?? 0) + 1;
          const what = `${name} [${request.kind}] → ${status}`;
          if (status >= 500) {
            report.serverErrors += 1;
            if (report.failures.length < 20) report.failures.push(`${what}: ${text.slice(0, 200)}`);
          } else if (status >= 400) {
            let problemOk = type.startsWith('application/problem+json');
            if (problemOk) {
              try {
                problemOk = (JSON.parse(text) as { status?: number }).status === status;
              } catch {
                problemOk = false;
              }
            }
            if (!problemOk) {
              report.missingProblemBodies += 1;
              if (report.failures.length < 20)
                report.failures.push(`${what}: not a problem body (${type}) ${text.slice(0, 120)}`);
            }
          }
          if (write && target.stores.length) {
            // The stores as they are now; a refused write must have left them as the last write did.
            const after = await snapshot(target.stores);
            if (status >= 400 && after !== current) {
              report.storedWhenRefused += 1;
              if (report.failures.length < 20) report.failures.push(`${what}: a store changed although refused`);
            }
            current = after;
            // A camera started by an accepted request streams on and changes the views: stop it, so the
            // next refused request is compared with a still state.
            if (status < 400 && (target.app === 'camera-agent' || target.app === 'cpanel')) {
              await stopCameras();
              await new Promise((r) => setTimeout(r, 300));
              current = await snapshot(target.stores);
            }
          }
          if (report.requests % 250 === 0) {
            const dead = await alive();
            if (dead.length) {
              report.processExits += dead.length;
              report.failures.push(`after ${report.requests} requests: ${dead.join(', ')} not alive`);
              throw new Error(`${dead.join(', ')} died while fuzzing ${target.service}`);
            }
          }
        }
      }
      const dead = await alive();
      report.processExits += dead.length;
      if (dead.length) report.failures.push(`at the end: ${dead.join(', ')} not alive`);
      log(
        `${target.service}: ${report.requests} requests, 5xx ${report.serverErrors}, no problem body ${report.missingProblemBodies}, stored when refused ${report.storedWhenRefused}, exits ${report.processExits}`,
      );
      reports.push(report);
      options.onProgress?.(summaryOf());
    }
  } catch (error) {
    await stack.stop();
    log(`logs kept in ${dataDir}/logs`);
    throw error;
  }
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return summaryOf();

  function summaryOf(): FuzzReport {
    return {
      seed: options.seed,
      requestsPerService: options.requestsPerService,
      cpu: `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores)`,
      startedAt: new Date(started).toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      services: reports,
    };
  }
}

/** The report as Markdown: per service and operation, requests and statuses. */
export function reportMarkdown(report: FuzzReport): string {
  const lines = [
    `# Fuzz report (seed ${report.seed})`,
    '',
    `Run \`npx nx run fuzz:long\` (tools/fuzz) on ${report.cpu}, ${report.startedAt}, ${report.durationSeconds} s. ` +
      `Every service a real process of the local stack with AUTH=app; requests generated by fast-check from each service's openapi.json.`,
    '',
    '| service | requests | 5xx | 4xx without problem body | stored when refused | network errors | process exits |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...report.services.map(
      (s) =>
        `| ${s.service} | ${s.requests} | ${s.serverErrors} | ${s.missingProblemBodies} | ${s.storedWhenRefused} | ${s.networkErrors} | ${s.processExits} |`,
    ),
  ];
  for (const s of report.services) {
    lines.push('', `## ${s.service}`, '', '| operation | requests | statuses | kinds |', '| --- | ---: | --- | --- |');
    for (const op of s.operations) {
      const fmt = (r: Record<string, number>) =>
        Object.entries(r)
          .sort()
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ');
      lines.push(`| \`${op.operation}\` | ${op.requests} | ${fmt(op.statuses)} | ${fmt(op.kinds)} |`);
    }
    if (s.failures.length)
      lines.push('', 'First failures:', '', ...s.failures.map((f) => `- ${f.replace(/\|/g, '\\|')}`));
  }
  return lines.join('\n') + '\n';
}
