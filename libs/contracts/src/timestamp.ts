/**
 * Timestamps between services are RFC 3339 date-times with an explicit offset
 * (`2026-11-21T10:00:00.000Z`, `2026-11-21T11:00:00+01:00`), and a frame's time must lie within a
 * bounded skew of the receiver's clock. ISO 8601 forms such as week dates (`2026-W01-1`), ordinal dates
 * or local times without an offset are refused, and so is a calendar date that does not exist.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** How far ahead of the receiver's clock a frame may be stamped (camera clocks drift a little). */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
/** How far behind the receiver's clock a frame may be stamped (retries and outages are shorter). */
export const MAX_PAST_SKEW_MS = 24 * 3_600_000;

/** The instant of an RFC 3339 date-time with an offset, in ms since the epoch; null for anything else. */
export function parseRfc3339(value: unknown): number | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const m = RFC3339.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  if (m[7] && (Number(m[8]) > 23 || Number(m[9]) > 59)) return null;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

export type TimestampProblem = 'format' | 'future' | 'past';

/** Why a frame timestamp is refused at `now` (the receiver's clock), or null when it is accepted. */
export function frameTimestampProblem(value: unknown, now = Date.now()): TimestampProblem | null {
  const t = parseRfc3339(value);
  if (t === null) return 'format';
  if (t > now + MAX_FUTURE_SKEW_MS) return 'future';
  if (t < now - MAX_PAST_SKEW_MS) return 'past';
  return null;
}

/** The stored form of a timestamp: UTC with milliseconds (sorts as text). */
export function canonicalTimestamp(value: string): string {
  const t = parseRfc3339(value);
  if (t === null) throw new RangeError(`not an RFC 3339 date-time: ${JSON.stringify(value)}`);
  return new Date(t).toISOString();
}
