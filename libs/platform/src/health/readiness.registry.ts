import { Injectable } from '@nestjs/common';

/** A readiness check returns details when ready and throws (with a reason) when not. */
export type ReadinessCheck = () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

/**
 * Where an app registers what its readiness depends on (store open, models loaded, …). Liveness never
 * consults it. Readiness also fails as soon as graceful shutdown starts.
 *
 * One way to register: the provider that owns the resource registers its check in its own
 * `onModuleInit` (e.g. a service for its store, the vision provider for its models), never a module
 * class or a constructor.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.checks];
  }

  beginShutdown(): void {
    this.shuttingDown = true;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
