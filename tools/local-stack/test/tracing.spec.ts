/**
 * One frame is one trace across every hop, exported over OTLP/HTTP to a real receiver on loopback
 * (this test's HTTP server, decoding the JSON the exporters send), and its trace id is in the logs.
 */
import { signCallerToken } from '@airport-mesh/platform/keys';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SERVICES, LocalStack, withPortOffset, type ServiceSpec } from '../src/index.js';

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
}

const services = withPortOffset(DEFAULT_SERVICES, 21_000);
const sample = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo/sample1.jpg'),
);

/**
 * A real OTLP/HTTP receiver on loopback: it decodes the JSON the exporters send and keeps every span with
 * the name of the service that sent it.
 */
async function otlpReceiver(): Promise<{ server: Server; endpoint: string; spans: Span[] }> {
  const spans: Span[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: Omit<Span, 'service'>[] }[];
          }[];
        };
        for (const rs of body.resourceSpans) {
          const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
          for (const ss of rs.scopeSpans)
            for (const sp of ss.spans)
              spans.push({
                traceId: sp.traceId,
                spanId: sp.spanId,
                parentSpanId: sp.parentSpanId,
                name: sp.name,
                service,
              });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans };
}

/**
 * A stack of `services` whose traces go to a fresh `otlpReceiver`, started before the describe's tests
 * and stopped after them; `spans` are what the receiver got.
 */
function tracedStack(services: ServiceSpec[], prefix: string): { stack: LocalStack; spans: Span[] } {
  const t = { spans: [] as Span[] } as { stack: LocalStack; spans: Span[] };
  let dir: string;
  let receiver: Server;
  beforeAll(async () => {
    const otlp = await otlpReceiver();
    receiver = otlp.server;
    t.spans = otlp.spans;
    dir = mkdtempSync(join(tmpdir(), prefix));
    t.stack = new LocalStack({
      services,
      dataDir: dir,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, LOG_LEVEL: 'info' },
    });
    await t.stack.start();
  });
  afterAll(async () => {
    await t.stack?.stop();
    receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return t;
}

describe('tracing across the pipeline', () => {
  const t = tracedStack(services, 'tracing-');

  const servicesOf = (traceId: string) => new Set(t.spans.filter((s) => s.traceId === traceId).map((s) => s.service));

  it('follows each camera frame through collector, both analysers, the section, alerts and the panels as one trace', async () => {
    await fetch(`${t.stack.url('camera-agent-1')}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...t.stack.operatorHeaders },
      body: JSON.stringify({ fps: 2, maxFrames: 3 }),
    });
    for (let i = 0; i < 100 && (await (await fetch(`${t.stack.url('camera-agent-1')}/state`)).json()).streaming; i++)
      await sleep(100);
    await sleep(1500); // batch span processors export every 500 ms
    const frameTraces = [
      ...new Set(
        t.spans
          .filter((s) => s.service === 'camera-agent-1' && s.name === 'frame 1' && !s.parentSpanId)
          .map((s) => s.traceId),
      ),
    ];
    expect(frameTraces).toHaveLength(3); // a trace per frame, not one for the whole stream
    // The first frame is sample1, where PersonX is: its trace also reaches alerts. Every frame is pushed to the panels.
    const everyHop = [
      'alerts',
      'camera-agent-1',
      'collector',
      'cpanel',
      'face-recognition',
      'image-analysis',
      'section-1',
    ];
    expect(frameTraces.map((t) => [...servicesOf(t)].sort())).toContainEqual(everyHop);
    for (const traceId of frameTraces) {
      expect([...servicesOf(traceId)].sort()).toEqual(expect.arrayContaining(everyHop.filter((s) => s !== 'alerts')));
      // Every span but the frame's root has its parent in the same trace.
      const ids = new Set(t.spans.filter((s) => s.traceId === traceId).map((s) => s.spanId));
      for (const s of t.spans.filter((x) => x.traceId === traceId && x.parentSpanId))
        expect(ids).toContain(s.parentSpanId);
    }
    // The section's log lines carry the trace ids.
    const logged = readFileSync(t.stack.logFile('section-1'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"url":"/statistics"'))
      .map((l) => (JSON.parse(l) as { trace_id?: string }).trace_id);
    for (const traceId of frameTraces) expect(logged).toContain(traceId);
  });

  it('continues a trace started by Envoy with B3 headers', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${t.stack.url('collector')}/frames`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await signCallerToken(t.stack.credentials.keys['camera-agent'].privateKey, 'test', 'POST', '/frames')}`,
        'x-b3-traceid': traceId,
        'x-b3-spanid': '00f067aa0ba902b7',
        'x-b3-sampled': '1',
      },
      body: JSON.stringify({
        cameraId: 'b3',
        section: '2',
        event: 'entry',
        timestamp: new Date().toISOString(),
        seq: 1,
        image: sample.toString('base64'),
      }),
    });
    expect(res.status).toBe(201);
    await sleep(1500);
    expect([...servicesOf(traceId)].sort()).toEqual([
      'alerts',
      'collector',
      'cpanel',
      'face-recognition',
      'image-analysis',
      'section-2',
    ]);
  });
});

describe('OTEL_SDK_DISABLED=true', () => {
  // Two sections side by side, the same OTLP receiver for both; only section-2 has OpenTelemetry off
  // (docs/conventions.md: it saves CPU per frame, and costs the trace ids in the logs).
  const t = tracedStack(
    withPortOffset(DEFAULT_SERVICES, 21_100)
      .filter((s) => s.name === 'section-1' || s.name === 'section-2')
      .map((s) => (s.name === 'section-2' ? { ...s, env: { ...s.env, OTEL_SDK_DISABLED: 'true' } } : s)),
    'tracing-off-',
  );

  it('serves as before, passes no trace on and logs no trace id; the default does both', async () => {
    const sent = { 'section-1': '0af7651916cd43dd8448eb211c80319c', 'section-2': '5b8aa5a2d2c872e8321cf37308d69df2' };
    for (const [service, traceId] of Object.entries(sent)) {
      const res = await fetch(`${t.stack.url(service)}/summary`, {
        headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { section: string }).section).toBe(service.slice(-1));
    }
    await sleep(1500); // batch span processors export every 500 ms
    const loggedTraceIds = (service: string) =>
      readFileSync(t.stack.logFile(service), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"url":"/summary"'))
        .map((l) => (JSON.parse(l) as { trace_id?: string }).trace_id);
    // the default: the caller's trace continues, in the exported spans and in the log line
    expect(t.spans.map(({ service, traceId }) => ({ service, traceId }))).toContainEqual({
      service: 'section-1',
      traceId: sent['section-1'],
    });
    expect(loggedTraceIds('section-1')).toContain(sent['section-1']);
    // off: the request was logged, without a trace id, and nothing was exported
    expect(loggedTraceIds('section-2')).toEqual([undefined]);
    expect(t.spans.filter((x) => x.service === 'section-2' || x.traceId === sent['section-2'])).toEqual([]);
  });
});
