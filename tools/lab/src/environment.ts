/** What a result records about where it was measured: machine, versions, git commit. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@airport-mesh/local-stack';
import type { MachineInfo } from './types.js';

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

export function gitState(root = REPO_ROOT): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** Versions of what the numbers depend on: Node, the app packages, and the libraries in the request path. */
export function versions(root = REPO_ROOT): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  const read = (path: string): string | undefined => {
    try {
      return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version;
    } catch {
      return undefined;
    }
  };
  out.airportMesh = read(join(root, 'package.json')) ?? 'unknown';
  for (const pkg of ['cockatiel', 'fastify', '@nestjs/core', 'axios', 'hdr-histogram-js']) {
    const v = read(join(root, 'node_modules', pkg, 'package.json'));
    if (v) out[pkg] = v;
  }
  return out;
}
