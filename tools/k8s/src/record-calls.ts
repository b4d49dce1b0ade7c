#!/usr/bin/env node
// Records the calls the system really makes between its services (caller, method, path, callee) from
// the OpenTelemetry spans the services already emit, and writes them to tools/k8s/calls/pipeline-calls.json.
// The authz cross-check (src/authz.ts, test/authz.spec.ts) holds every Istio overlay's and scenario's
// AuthorizationPolicies and the plain overlay's NetworkPolicies against this file.
//
// Regenerate (heavy: the whole local stack, real ONNX inference; the apps must be built):
//   flock /tmp/airport-heavy.lock npx nx run k8s:record-calls
//
// How: an OTLP/HTTP JSON receiver on 127.0.0.1, the local stack (tools/local-stack) exporting to it,
// then what a user and the demo do: cpanel's dashboard and health view (v1 and v2), camera start and
// stop through cpanel, frames from every camera through the pipeline (a sample with a watch-list face,
// so alerts are raised). A call is a CLIENT span of one service whose child SERVER span belongs to
// another; the path is the server's request path without its query.
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SERVICES, LocalStack, withPortOffset } from '@airport-mesh/local-stack';
import { repoRoot } from './paths.js';

export interface RecordedCall {
  /** the calling workload: its Kubernetes ServiceAccount / app name (cpanel-v2's process is `cpanel`) */
  caller: string;
  method: string;
  /** the request path as the callee received it, without the query */
  path: string;
  callee: string;
  count: number;
}

export interface CallsFile {
  description: string;
  regenerate: string;
  calls: RecordedCall[];
}

export const CALLS_FILE = 'tools/k8s/calls/pipeline-calls.json';

interface OtlpAttr {
  key: string;
  value: { stringValue?: string; intValue?: string | number };
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttr[];
}
interface Span extends OtlpSpan {
  service: string;
}

const attr = (s: OtlpSpan, ...keys: string[]): string | undefined => {
  for (const k of keys) {
    const v = s.attributes?.find((a) => a.key === k)?.value;
    if (v?.stringValue !== undefined) return v.stringValue;
    if (v?.intValue !== undefined) return String(v.intValue);
  }
  return undefined;
};

/** The workload name in the cluster: local-stack process names are the Deployments' `app` labels, cpanel-v2 is cpanel. */
export const workload = (service: string): string => (service === 'cpanel-v2' ? 'cpanel' : service);

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

/** Caller → callee calls out of a set of spans: a CLIENT span whose child is another service's SERVER span. */
export function callsFromSpans(spans: Span[]): RecordedCall[] {
  const byParent = new Map<string, Span[]>();
  for (const s of spans) if (s.parentSpanId) byParent.set(s.parentSpanId, [...(byParent.get(s.parentSpanId) ?? []), s]);
  const calls = new Map<string, RecordedCall>();
  for (const client of spans.filter((s) => s.kind === SPAN_KIND_CLIENT)) {
    for (const server of byParent.get(client.spanId) ?? []) {
      if (server.kind !== SPAN_KIND_SERVER || server.service === client.service) continue;
      const method = attr(server, 'http.request.method', 'http.method') ?? server.name.split(' ')[0];
      const target = attr(server, 'url.path', 'http.target') ?? '/';
      const path = target.split('?')[0];
      const call = { caller: workload(client.service), method, path, callee: workload(server.service) };
      const key = JSON.stringify(call);
      const seen = calls.get(key);
      if (seen) seen.count++;
      else calls.set(key, { ...call, count: 1 });
    }
  }
  return [...calls.values()].sort((a, b) =>
    `${a.callee} ${a.caller} ${a.method} ${a.path}`.localeCompare(`${b.callee} ${b.caller} ${b.method} ${b.path}`),
  );
}

async function main(): Promise<void> {
  const root = repoRoot();
  const spans: Span[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: { resource: { attributes: OtlpAttr[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'record-calls-'));
  const services = withPortOffset(DEFAULT_SERVICES, 24_000);
  const stack = new LocalStack({
    services,
    dataDir: dir,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    readyTimeoutMs: 180_000, // a shared, busy machine: ONNX models load slowly
  });
  const log = (l: string) => process.stdout.write(`${l}\n`);
  try {
    log('starting the local stack with an OTLP receiver …');
    await stack.start();
    const sample = readFileSync(
      join(
        dirname(createRequire(join(root, 'package.json')).resolve('@vladmandic/face-api/package.json')),
        'demo/sample1.jpg',
      ),
    );
    const call = async (base: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      await res.arrayBuffer();
      log(`  ${method} ${path} → ${res.status}`);
    };
    for (const panel of ['cpanel', 'cpanel-v2']) {
      const base = stack.url(panel);
      log(`${panel}: dashboard and health view`);
      for (const p of ['/', '/index', '/status', '/health/all', '/cameras', '/cameras/1/state', '/alert', '/analysis'])
        await call(base, 'GET', p);
    }
    log('frames: cameras started and stopped through cpanel, and a frame with a watch-list face per camera');
    for (const id of [1, 2, 3]) await call(stack.url('cpanel'), 'POST', `/cameras/${id}/start`);
    await sleep(3000);
    for (const id of [1, 2, 3]) await call(stack.url('cpanel'), 'POST', `/cameras/${id}/stop`);
    for (const [camera, section, event] of [
      ['1', '1', 'exit'],
      ['2', '1', 'entry'],
      ['3', '2', 'entry'],
    ])
      await call(stack.url('collector'), 'POST', '/frames', {
        cameraId: camera,
        section,
        event,
        timestamp: new Date().toISOString(),
        seq: Date.now(),
        image: sample.toString('base64'),
      });
    for (const panel of ['cpanel', 'cpanel-v2']) await call(stack.url(panel), 'GET', '/');
    await sleep(2000); // batch span processors export every 500 ms
  } catch (e) {
    for (const s of services) {
      const tail = readFileSync(stack.logFile(s.name), 'utf8').trim().split('\n').slice(-5).join('\n');
      if (tail) process.stderr.write(`--- ${s.name}\n${tail}\n`);
    }
    throw e;
  } finally {
    await stack.stop();
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
  // The frames posted above come from this script, not from a camera: keep only calls between services.
  const calls = callsFromSpans(spans);
  const file: CallsFile = {
    description:
      'Calls between the services of airport-mesh (caller, method, path as received, callee), recorded from the ' +
      "OpenTelemetry spans of a local-stack run driven like the demo: cpanel's dashboard and health view, camera " +
      'start/stop through cpanel, frames through the pipeline. Checked against the AuthorizationPolicies and NetworkPolicies by test/authz.spec.ts.',
    regenerate: 'flock /tmp/airport-heavy.lock npx nx run k8s:record-calls',
    calls,
  };
  mkdirSync(dirname(join(root, CALLS_FILE)), { recursive: true });
  writeFileSync(join(root, CALLS_FILE), `${JSON.stringify(file, null, 2)}\n`);
  log(`${calls.length} distinct calls (${spans.length} spans) → ${CALLS_FILE}`);
}

if (process.argv[1]?.endsWith('record-calls.js')) {
  main().then(
    () => process.exit(0),
    (e) => {
      process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(1);
    },
  );
}
