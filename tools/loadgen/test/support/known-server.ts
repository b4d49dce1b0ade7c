import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface KnownServerStats {
  /** Requests that arrived. */
  count: number;
  /** Requests answered (any status). */
  responded: number;
  byStatus: Record<string, number>;
  /** Connections destroyed on purpose (reset=1). */
  resets: number;
  /** Requests whose client went away before the answer. */
  clientAborts: number;
  /** The server's own time per answered request, arrival → answer, ms. */
  serviceMs: number[];
  /** Arrival times on the server's monotonic clock, ms. */
  arrivalsMs: number[];
  /** The most requests the server held at once. */
  maxInFlight: number;
  inFlight: number;
  /** `seq` of each JSON body, and each `x-seq` header, in arrival order. */
  seqs: unknown[];
  headerSeqs: number[];
}

const script = fileURLToPath(new URL('./known-server.mjs', import.meta.url));

/** The known server (test/support/known-server.mjs) in its own process. */
export class KnownServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(): Promise<KnownServer> {
    const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('known server did not start within 10 s')), 10_000);
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`known server exited with ${code}`)));
      child.once('message', (msg: { type: string; port: number }) => {
        clearTimeout(timer);
        resolve(msg.port);
      });
    });
    return new KnownServer(child, port);
  }

  url(query = ''): string {
    return `http://127.0.0.1:${this.port}/status${query ? `?${query}` : ''}`;
  }

  private ask<T>(type: string): Promise<T> {
    return new Promise<T>((resolve) => {
      const onMessage = (msg: { type: string } & T) => {
        if (msg.type !== type) return;
        this.child.off('message', onMessage);
        resolve(msg);
      };
      this.child.on('message', onMessage);
      this.child.send({ type });
    });
  }

  async stats(): Promise<KnownServerStats> {
    return (await this.ask<{ stats: KnownServerStats }>('stats')).stats;
  }

  /** The stats once `ready` holds of them, or as they are after `withinMs`. */
  async statsWhen(ready: (stats: KnownServerStats) => boolean, withinMs: number): Promise<KnownServerStats> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const stats = await this.stats();
      if (ready(stats) || Date.now() >= deadline) return stats;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async reset(): Promise<void> {
    await this.ask('reset');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.disconnect();
    });
  }
}

/** The p-th percentile (0–100) of raw values, nearest-rank. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length - 1e-9));
  return sorted[rank - 1];
}

/** Requests per second the server saw arrive: (n − 1) gaps over the span from first to last arrival. */
export function arrivalRate(arrivalsMs: number[]): number {
  if (arrivalsMs.length < 2) return 0;
  return ((arrivalsMs.length - 1) * 1000) / (arrivalsMs[arrivalsMs.length - 1] - arrivalsMs[0]);
}
