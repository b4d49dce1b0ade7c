import {
  MAX_FUTURE_SKEW_MS,
  MAX_PAST_SKEW_MS,
  canonicalTimestamp,
  frameTimestampProblem,
  parseRfc3339,
} from './timestamp.js';

describe('RFC 3339 timestamps', () => {
  it.each([
    ['2026-11-21T10:00:00Z', Date.UTC(2026, 10, 21, 10)],
    ['2026-11-21T10:00:00.123Z', Date.UTC(2026, 10, 21, 10, 0, 0, 123)],
    ['2026-11-21T11:00:00+01:00', Date.UTC(2026, 10, 21, 10)],
    ['2024-02-29T00:00:00-00:30', Date.UTC(2024, 1, 29, 0, 30)],
  ])('reads %s', (text, ms) => expect(parseRfc3339(text)).toBe(ms));

  it.each([
    '2026-W01-1', // ISO 8601 week date: once accepted, then a 500
    '2026-001T10:00:00Z', // ordinal date
    '2026-11-21T10:00:00', // no offset
    '2026-11-21', // no time
    '2026-02-29T00:00:00Z', // not a leap year
    '2026-11-21T24:00:00Z',
    '2026-11-21T10:00:00+25:00',
    'yesterday',
    '',
  ])('refuses %j', (text) => expect(parseRfc3339(text)).toBeNull());

  it('bounds the skew from the receiver clock', () => {
    const now = Date.UTC(2026, 10, 30, 12);
    const at = (ms: number) => new Date(ms).toISOString();
    expect(frameTimestampProblem(at(now), now)).toBeNull();
    expect(frameTimestampProblem(at(now + MAX_FUTURE_SKEW_MS), now)).toBeNull();
    expect(frameTimestampProblem(at(now + MAX_FUTURE_SKEW_MS + 1), now)).toBe('future');
    expect(frameTimestampProblem(at(now - MAX_PAST_SKEW_MS), now)).toBeNull();
    expect(frameTimestampProblem(at(now - MAX_PAST_SKEW_MS - 1), now)).toBe('past');
    expect(frameTimestampProblem('2026-W01-1', now)).toBe('format');
  });

  it('stores one form: UTC with milliseconds', () => {
    expect(canonicalTimestamp('2026-11-21T11:00:00+01:00')).toBe('2026-11-21T10:00:00.000Z');
    expect(() => canonicalTimestamp('2026-W01-1')).toThrow(RangeError);
  });
});
