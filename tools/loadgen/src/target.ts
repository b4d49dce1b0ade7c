import net from 'node:net';
import { LoadgenError, errorCode } from './errors.js';

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** `localhost`, 127.0.0.0/8, `::1` (also bracketed, as a URL spells it) or an IPv4-mapped 127.x. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost') return true;
  const family = net.isIP(host);
  if (family === 4) return loopback.check(host, 'ipv4');
  if (family === 6) return loopback.check(host, 'ipv6');
  return false;
}

/**
 * Parses and checks a target: http or https, no credentials, and a loopback host unless
 * `allowRemote` (an explicit remote target, such as a cluster ingress the caller chose).
 */
export function parseTarget(url: string | URL, allowRemote = false): URL {
  let target: URL;
  try {
    target = new URL(String(url));
  } catch {
    throw new LoadgenError(
      'INVALID_OPTIONS',
      `bad URL '${String(url)}': give an absolute http(s) URL, e.g. http://127.0.0.1:8080/status`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new LoadgenError(
      'INVALID_OPTIONS',
      `bad URL '${target.href}': only http: and https: are supported, not ${target.protocol}`,
    );
  }
  if (target.username || target.password) {
    throw new LoadgenError(
      'INVALID_OPTIONS',
      `bad URL '${target.origin}…': credentials in the URL are not supported; send an Authorization header`,
    );
  }
  if (!allowRemote && !isLoopbackHost(target.hostname)) {
    throw new LoadgenError(
      'TARGET_NOT_ALLOWED',
      `refusing to load ${target.hostname}: not a loopback address (localhost, 127.0.0.0/8, ::1); ` +
        'pass allowRemote: true (CLI --allow-remote) to load an explicit remote target',
    );
  }
  return target;
}

/** The port a URL connects to, its default one when it names none. */
export function targetPort(target: URL): number {
  return target.port ? Number(target.port) : target.protocol === 'https:' ? 443 : 80;
}

/**
 * Opens (and closes) one TCP connection to the target, so an unreachable target fails before the run
 * with a clear message instead of as N connection errors. Sends no HTTP request: a server's request
 * count stays the generator's.
 */
export async function assertReachable(target: URL, timeoutMs: number): Promise<void> {
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = targetPort(target);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host, port });
    const fail = (err: unknown) => {
      socket.destroy();
      const code = errorCode(err);
      const why =
        code === 'ECONNREFUSED'
          ? 'connection refused (is the server running?)'
          : code === 'ETIMEDOUT'
            ? `no answer within ${timeoutMs} ms`
            : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
              ? `host name ${host} not found`
              : code;
      reject(new LoadgenError('TARGET_UNREACHABLE', `target ${target.origin} is unreachable: ${why}`, { cause: err }));
    };
    socket.setTimeout(timeoutMs, () => fail(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.end();
      socket.destroy();
      resolve();
    });
  });
}
