import { Injectable } from '@nestjs/common';
import { ReadinessRegistry } from '../health/readiness.registry.js';

/** What went wrong with a store. */
export type StorageFaultKind = 'full' | 'read-only' | 'corrupt' | 'io' | 'busy';

/** SQLite primary result codes (errcode & 0xff) that mean the store, not the request, is at fault. */
const SQLITE_FAULTS: Record<number, StorageFaultKind> = {
  5: 'busy', // SQLITE_BUSY
  6: 'busy', // SQLITE_LOCKED
  8: 'read-only', // SQLITE_READONLY
  10: 'io', // SQLITE_IOERR
  11: 'corrupt', // SQLITE_CORRUPT
  13: 'full', // SQLITE_FULL
  14: 'io', // SQLITE_CANTOPEN
  26: 'corrupt', // SQLITE_NOTADB
};
/** Node's own file-system errors that mean the same. */
const FS_FAULTS: Record<string, StorageFaultKind> = { ENOSPC: 'full', EDQUOT: 'full', EROFS: 'read-only', EIO: 'io' };

/** The storage fault an error stands for, or null when it is something else. */
export function storageFaultOf(error: unknown): StorageFaultKind | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { code?: unknown; errcode?: unknown };
  if (e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') return SQLITE_FAULTS[e.errcode & 0xff] ?? null;
  if (typeof e.code === 'string') return FS_FAULTS[e.code] ?? null;
  return null;
}

/** How long readiness stays down after a storage fault unless a store's own check passes again. */
const HOLD_MS = 10_000;

/**
 * Storage faults seen while serving requests (the problem filter reports them): readiness is down
 * (503) while one is recent, so the replica is taken out of rotation instead of failing every write.
 */
@Injectable()
export class StorageFaults {
  private last?: { kind: StorageFaultKind; at: number; detail: string };

  constructor(readiness: ReadinessRegistry) {
    readiness.register('storage', () => {
      const last = this.last;
      if (last && Date.now() - last.at < HOLD_MS) throw new Error(`storage ${last.kind}: ${last.detail}`);
    });
  }

  note(kind: StorageFaultKind, detail: string): void {
    this.last = { kind, at: Date.now(), detail };
  }

  get recent(): StorageFaultKind | null {
    return this.last && Date.now() - this.last.at < HOLD_MS ? this.last.kind : null;
  }
}
