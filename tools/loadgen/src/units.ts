import { LoadgenError } from './errors.js';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `500ms`, `10s`, `1.5s`, `2m`, `1h` → milliseconds. A unit is required, so `10` is never ambiguous. */
export function parseDuration(text: string, what = 'duration'): number {
  const m = DURATION.exec(text.trim());
  if (!m) {
    throw new LoadgenError('INVALID_OPTIONS', `bad ${what} '${text}': use a number with a unit, e.g. 500ms, 10s or 2m`);
  }
  return Number(m[1]) * UNIT_MS[m[2]];
}

const RATE = /^(\d+(?:\.\d+)?)(?:\/(s|m))?$/;

/** `50`, `50/s` (per second) or `600/m` (per minute) → requests per second. */
export function parseRate(text: string): number {
  const m = RATE.exec(text.trim());
  if (!m) {
    throw new LoadgenError(
      'INVALID_OPTIONS',
      `bad rate '${text}': use requests per second, e.g. 50 or 50/s (or 600/m)`,
    );
  }
  const n = Number(m[1]);
  return m[2] === 'm' ? n / 60 : n;
}

/** Milliseconds as the shortest readable duration: 20ms, 1.5s, 2m. */
export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1_000) return `${+(ms / 1_000).toFixed(3)}s`;
  return `${+ms.toFixed(3)}ms`;
}
