// A known HTTP server for the load generator's tests, run as its own process (fork, with an IPC
// channel) so its timing does not share an event loop with the generator. It listens on
// 127.0.0.1, port 0, and tells the parent its port. Every request is shaped by its query string:
//   delay=MS      answer after at least MS ms (measured on the monotonic clock, never early)
//   every=N       only every Nth request (by arrival, counted since the last reset) gets
//   status=CODE   this status instead of 200, or
//   reset=1       its connection destroyed instead of an answer (after the delay)
// It counts what it saw: requests, statuses sent, resets, requests the client gave up on, its own
// service times, arrival times, the most requests it had at once, and any `x-seq` header / JSON `seq`.
// The parent asks with {type:'stats'} and {type:'reset'} messages.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

let stats;
let inFlight = 0;
function resetStats() {
  stats = {
    count: 0,
    responded: 0,
    byStatus: {},
    resets: 0,
    clientAborts: 0,
    serviceMs: [],
    arrivalsMs: [],
    maxInFlight: 0,
    seqs: [],
    headerSeqs: [],
  };
  inFlight = 0;
}
resetStats();

function sleepAtLeast(ms, start, done) {
  const left = ms - (performance.now() - start);
  if (left <= 0) return done();
  setTimeout(() => sleepAtLeast(ms, start, done), Math.max(1, Math.ceil(left)));
}

const server = http.createServer((req, res) => {
  const start = performance.now();
  const generation = stats;
  stats.count++;
  const n = stats.count;
  stats.arrivalsMs.push(start);
  inFlight++;
  stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const q = (k) => url.searchParams.get(k);
  const delay = Number(q('delay') ?? 0);
  const every = Number(q('every') ?? 1);
  const special = n % every === 0;
  if (req.headers['x-seq'] !== undefined) stats.headerSeqs.push(Number(req.headers['x-seq']));
  const chunks = [];
  let finished = false;
  const leave = () => {
    if (finished) return;
    finished = true;
    if (generation === stats) inFlight--;
  };
  req.on('data', (c) => chunks.push(c));
  res.on('close', () => {
    if (!res.writableFinished && generation === stats && !finished) stats.clientAborts++;
    leave();
  });
  req.on('end', () => {
    if (chunks.length) {
      try {
        const seq = JSON.parse(Buffer.concat(chunks).toString('utf8')).seq;
        if (seq !== undefined) generation.seqs.push(seq);
      } catch {
        generation.seqs.push('unparsable');
      }
    }
    sleepAtLeast(delay, start, () => {
      if (res.destroyed) return;
      if (special && q('reset') === '1') {
        generation.resets++;
        leave();
        req.socket.destroy();
        return;
      }
      const status = special && q('status') ? Number(q('status')) : 200;
      generation.serviceMs.push(performance.now() - start);
      generation.byStatus[status] = (generation.byStatus[status] ?? 0) + 1;
      generation.responded++;
      leave();
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`Known server ${status}\n`);
    });
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'listening', port: server.address().port });
});

process.on('message', (msg) => {
  if (msg?.type === 'stats') process.send({ type: 'stats', stats: { ...stats, inFlight } });
  if (msg?.type === 'reset') {
    resetStats();
    process.send({ type: 'reset' });
  }
});
process.on('disconnect', () => process.exit(0));
