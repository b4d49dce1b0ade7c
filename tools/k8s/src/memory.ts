/**
 * Memory of the services as processes, beside what the Kubernetes manifests ask for them: the link
 * between a local measurement and a pod's `resources` (docs/performance.md, "Memory"). Used by
 * `nx run k8s:bench-memory` and by the CI check that a service's peak stays well inside its
 * rendered limit (test/memory.spec.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalStack, ServiceSpec } from '@airport-mesh/local-stack';
import { render, type K8sObject } from './render.js';

export interface ProcessMemory {
  /** Resident set now. */
  rssMiB: number;
  /** The highest resident set the process has had (the kernel's VmHWM). */
  peakRssMiB: number;
}

/** Resident memory of a running process, from /proc. */
export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

/** The V8 heap in use (MiB) of each service, from its own `/metrics` (prom-client's `nodejs_heap_size_used_bytes`). */
export async function stackHeapMiB(stack: LocalStack, services: ServiceSpec[]): Promise<Record<string, number>> {
  const heap = async (name: string) => {
    const text = await (await fetch(`${stack.url(name)}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const m = /^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
    if (!m) throw new Error(`${name}: no nodejs_heap_size_used_bytes in /metrics`);
    return Number(m[1]) / 2 ** 20;
  };
  return Object.fromEntries(await Promise.all(services.map(async (s) => [s.name, await heap(s.name)] as const)));
}

/** CPU seconds (user + system) a running process has used, from /proc (clock ticks of 1/100 s). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, in parentheses): utime is the 14th, stime the 15th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function stackCpuSeconds(stack: LocalStack, services: ServiceSpec[]): Record<string, number> {
  return Object.fromEntries(services.map((s) => [s.name, processCpuSeconds(stack.pid(s.name))]));
}

/** Kubernetes CPU quantities (`50m`, `0.5`, `2`) in millicores. */
export function quantityMillicores(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(String(quantity).trim());
  if (!m) throw new Error(`not a CPU quantity: ${quantity}`);
  return m[2] ? Number(m[1]) : Number(m[1]) * 1000;
}

export function stackMemory(stack: LocalStack, services: ServiceSpec[]): Record<string, ProcessMemory> {
  return Object.fromEntries(services.map((s) => [s.name, processMemory(stack.pid(s.name))]));
}

export interface Resources {
  deployment: string;
  requestMiB?: number;
  limitMiB?: number;
  requestCpu?: string;
  limitCpu?: string;
  /** The Node.js flags the container passes (NODE_OPTIONS), e.g. the heap limit. */
  nodeOptions?: string;
}

/** Kubernetes quantities (`256Mi`, `1Gi`, `300M`, bytes) in MiB. */
export function quantityMiB(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)([KMGT]i?|[kmgt]|)$/.exec(String(quantity).trim());
  if (!m) throw new Error(`not a memory quantity: ${quantity}`);
  const unit: Record<string, number> = {
    '': 1,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return (Number(m[1]) * unit[m[2]]) / 2 ** 20;
}

/** The Deployment that runs a local service in the cluster (cpanel runs v1 and v2 as two Deployments). */
export function deploymentOf(service: ServiceSpec): string {
  if (service.app === 'cpanel') return `cpanel-${service.env?.VERSION ?? 'v1'}`;
  return service.name;
}

/** Each Deployment's first container's resources in a rendered overlay (`kubectl kustomize`). */
export async function renderedResources(overlay: string): Promise<Map<string, Resources>> {
  const objects: K8sObject[] = await render(overlay);
  const out = new Map<string, Resources>();
  for (const o of objects) {
    if (o.kind !== 'Deployment' || !o.metadata?.name) continue;
    const container = o.spec?.template?.spec?.containers?.[0];
    const res = container?.resources ?? {};
    const env: { name: string; value?: string }[] = container?.env ?? [];
    out.set(o.metadata.name, {
      deployment: o.metadata.name,
      requestMiB: quantityMiB(res.requests?.memory),
      limitMiB: quantityMiB(res.limits?.memory),
      requestCpu: res.requests?.cpu,
      limitCpu: res.limits?.cpu,
      nodeOptions: env.find((e) => e.name === 'NODE_OPTIONS')?.value,
    });
  }
  return out;
}

export function overlayDir(root: string, overlay: 'plain' | 'istio'): string {
  return join(root, 'deploy', 'overlays', overlay);
}

/** Streams frames from every camera of the stack (camera → collector → analysers → stores → panels). */
export async function streamCameras(
  stack: LocalStack,
  cameras: ServiceSpec[],
  fps: number,
  frames: number,
): Promise<void> {
  for (const c of cameras) {
    const res = await fetch(`${stack.url(c.name)}/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stack.operatorHeaders },
      body: JSON.stringify({ fps, maxFrames: frames }),
    });
    if (!res.ok) throw new Error(`${c.name}: POST /stream → ${res.status} ${await res.text()}`);
  }
}

/** Waits until no camera streams any more (each stops after its maxFrames). */
export async function camerasDone(stack: LocalStack, cameras: ServiceSpec[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const c of cameras) {
    for (;;) {
      const state = (await (await fetch(`${stack.url(c.name)}/state`)).json()) as { streaming: boolean };
      if (!state.streaming) break;
      if (Date.now() > deadline) throw new Error(`${c.name} still streaming after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
