import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startTestService, type TestService } from '@airport-mesh/platform/testing';
import { imageAnalysisService } from '../src/service.js';

const demo = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo');
const fiveFaces = readFileSync(join(demo, 'sample5.jpg'));

// One worker, room for two waiting requests; a request that waits longer than 1 ms for the worker is
// past its deadline. So: the first request of a burst runs, the next two wait (and are then dropped
// for their deadline, unless their caller has gone first), the rest are refused at once.
describe('image-analysis admission control over HTTP (real worker pool, real ONNX)', () => {
  let svc: TestService;
  interface Answer {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    text: string;
  }
  /** One request on its own connection (no keep-alive: an aborted caller is a closed socket, as in production). */
  const call = (method: string, path: string, body?: Buffer, signal?: AbortSignal) =>
    new Promise<Answer>((resolve, reject) => {
      const req = request(
        `${svc.url}${path}`,
        { method, agent: false, signal, headers: body ? { 'content-type': 'image/jpeg' } : {} },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const post = (signal?: AbortSignal) => call('POST', '/analyze', fiveFaces, signal);
  const metric = async (name: string, labels: string): Promise<number> => {
    const { text } = await call('GET', '/metrics');
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return Number(line?.split(' ').pop());
  };

  beforeAll(async () => {
    svc = await startTestService(imageAnalysisService, {
      ANALYSIS_WORKERS: '1',
      ANALYSIS_QUEUE: '2',
      ANALYSIS_MAX_WAIT_MS: '1',
    });
    for (let i = 0; i < 200 && (await call('GET', '/health/ready')).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await post()).status).toBe(200); // warm
  });
  afterAll(() => svc?.close());

  it('reports its pool in /metrics', async () => {
    expect(await metric('image_analysis_workers', '')).toBe(1);
    expect(await metric('image_analysis_queue_limit', '')).toBe(2);
    expect(await metric('image_analysis_queue_depth', '')).toBe(0);
  });

  it('refuses what does not fit with 503, Retry-After and a problem body, drops what waited past its deadline, serves the rest', async () => {
    const fullBefore = await metric('image_analysis_shed_total', 'reason="queue_full"');
    const deadlineBefore = await metric('image_analysis_shed_total', 'reason="deadline"');
    const burst = await Promise.all(Array.from({ length: 6 }, () => post()));
    const statuses = burst.map((r) => r.status);
    // the first runs, two wait and pass their 1 ms deadline, three are refused at once
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 503)).toHaveLength(5);
    const bodies = burst.map((r) => ({ r, text: r.text }));
    for (const { r, text } of bodies.filter(({ r }) => r.status === 503)) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = JSON.parse(text) as { status: number; type: string; detail: string };
      expect(body.status).toBe(503);
      expect(['urn:airport-mesh:vision:queue-full', 'urn:airport-mesh:vision:deadline']).toContain(body.type);
    }
    const ok = JSON.parse(bodies.find(({ r }) => r.status === 200)!.text) as { personCount: number };
    expect(ok.personCount).toBe(5);
    expect((await metric('image_analysis_shed_total', 'reason="queue_full"')) - fullBefore).toBe(3);
    expect((await metric('image_analysis_shed_total', 'reason="deadline"')) - deadlineBefore).toBe(2);
    expect(await metric('image_analysis_queue_wait_seconds_count', '')).toBeGreaterThanOrEqual(2);
    // and it keeps serving
    expect((await post()).status).toBe(200);
  });

  it('drops the work of a caller that has hung up before a worker starts it', async () => {
    const goneBefore = await metric('image_analysis_shed_total', 'reason="caller_gone"');
    const okBefore = await metric('image_analysis_frames_total', 'outcome="ok"');
    const running = post();
    for (let i = 0; i < 100 && (await metric('image_analysis_workers_busy', '')) < 1; i++)
      await new Promise((r) => setTimeout(r, 2));
    const controllers = [new AbortController(), new AbortController()];
    const waiting = controllers.map((c) => post(c.signal).catch((e: unknown) => e));
    for (let i = 0; i < 100 && (await metric('image_analysis_queue_depth', '')) < 2; i++)
      await new Promise((r) => setTimeout(r, 2));
    expect(await metric('image_analysis_queue_depth', '')).toBe(2); // both wait behind the running one
    for (const c of controllers) c.abort();
    await Promise.all(waiting);
    expect((await running).status).toBe(200);
    // once the worker frees up, both queued requests are found gone and never analysed
    for (let i = 0; i < 50 && (await metric('image_analysis_shed_total', 'reason="caller_gone"')) < goneBefore + 2; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await metric('image_analysis_shed_total', 'reason="caller_gone"')) - goneBefore).toBe(2);
    expect((await metric('image_analysis_frames_total', 'outcome="ok"')) - okBefore).toBe(1);
  });
});
