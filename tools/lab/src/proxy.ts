/**
 * A pass-through HTTP proxy on 127.0.0.1 between the load generator and the system under test. The
 * load generator counts statuses and latencies; the proxy remembers, per frame (`x-lab-seq` header),
 * whether the caller really received a 2xx, so that "acknowledged but not stored" is checked frame by
 * frame rather than by totals. For the canary experiment it also keeps the first line of each answer
 * (`CPanel v1 : Online`). It adds well under a millisecond on loopback.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyOutcome {
  /** HTTP status the upstream answered, or 0 when it gave none. */
  status: number;
  /** The whole answer reached the caller (false when the caller gave up first). */
  delivered: boolean;
}

export class RecordingProxy {
  readonly outcomes = new Map<number, ProxyOutcome>();
  readonly firstLines = new Map<string, number>();
  private server?: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  private readonly upstream: URL;

  constructor(
    upstream: string,
    private readonly options: { captureFirstLine?: boolean; extraHeaders?: Record<string, string> } = {},
  ) {
    this.upstream = new URL(upstream);
    if (this.upstream.protocol !== 'http:') throw new Error(`proxy: only http upstreams (${upstream})`);
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.forward(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
    const seqHeader = req.headers['x-lab-seq'];
    const seq = typeof seqHeader === 'string' ? Number(seqHeader) : undefined;
    const headers: http.OutgoingHttpHeaders = {
      ...req.headers,
      ...this.options.extraHeaders,
      host: this.upstream.host,
    };
    delete headers['x-lab-seq'];
    const basePath = this.upstream.pathname.replace(/\/$/, '');
    const upstreamReq = http.request(
      {
        protocol: 'http:',
        hostname: this.upstream.hostname,
        port: this.upstream.port || 80,
        method: req.method,
        path: `${basePath}${req.url}`,
        headers,
        agent: this.agent,
      },
      (up) => {
        const status = up.statusCode ?? 0;
        res.writeHead(status, up.headers);
        let first = '';
        if (this.options.captureFirstLine)
          up.on('data', (chunk: Buffer) => (first.length < 200 ? (first += chunk.toString('utf8')) : undefined));
        up.pipe(res);
        res.on('finish', () => {
          if (seq !== undefined) this.outcomes.set(seq, { status, delivered: true });
          if (this.options.captureFirstLine) {
            const line = first.split('\n')[0].trim().slice(0, 80) || `(HTTP ${status}, empty)`;
            this.firstLines.set(line, (this.firstLines.get(line) ?? 0) + 1);
          }
        });
        res.on('close', () => {
          if (!res.writableFinished && seq !== undefined) this.outcomes.set(seq, { status, delivered: false });
          up.destroy();
        });
      },
    );
    upstreamReq.on('error', () => {
      if (seq !== undefined && !this.outcomes.has(seq)) this.outcomes.set(seq, { status: 0, delivered: false });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('lab proxy: upstream failed');
      else res.destroy();
    });
    req.on('aborted', () => upstreamReq.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  }

  /** Frames the caller received a 2xx for. */
  acknowledged(): Set<number> {
    const acked = new Set<number>();
    for (const [seq, o] of this.outcomes) if (o.delivered && o.status >= 200 && o.status < 300) acked.add(seq);
    return acked;
  }

  async close(): Promise<void> {
    this.agent.destroy();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
