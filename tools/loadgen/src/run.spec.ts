import { resolveOptions } from './run.js';

const base = { url: 'http://127.0.0.1:8080/status', rate: 50, durationMs: 10_000 };

describe('resolveOptions', () => {
  it('fills in the defaults and schedules floor(rate × duration) requests', () => {
    const s = resolveOptions(base);
    expect(s).toMatchObject({
      method: 'GET',
      timeoutMs: 2_000,
      maxInFlight: 256,
      overflow: 'drop',
      drainMs: 2_000,
      lateThresholdMs: 10,
    });
    expect(s.scheduled).toBe(500);
    expect(resolveOptions({ ...base, rate: 3, durationMs: 1_000 }).scheduled).toBe(3);
    expect(resolveOptions({ ...base, rate: 0.1 * 3, durationMs: 10_000 }).scheduled).toBe(3);
    expect(resolveOptions({ ...base, maxRequests: 7 }).scheduled).toBe(7);
  });

  it.each([
    [{ rate: 0 }, 'bad rate 0'],
    [{ rate: -1 }, 'bad rate -1'],
    [{ rate: Number.NaN }, 'bad rate NaN'],
    [{ rate: 1e9 }, 'bad rate 1000000000'],
    [{ durationMs: 0 }, 'bad duration 0'],
    [{ durationMs: 7_200_000 }, 'bad duration 7200000'],
    [{ rate: 0.5, durationMs: 1_000 }, 'schedules no request'],
    [{ timeoutMs: 0 }, 'bad timeout 0'],
    [{ maxInFlight: 0 }, 'bad maxInFlight 0'],
    [{ maxInFlight: 2.5 }, 'bad maxInFlight 2.5'],
    [{ overflow: 'wait' }, "bad overflow 'wait'"],
    [{ method: 'GE T' }, "bad method 'GE T'"],
    [{ headers: { 'bad header': 'x' } }, "bad header 'bad header'"],
    [{ headers: { ok: 'line\nbreak' } }, "bad header 'ok'"],
    [{ body: 42 }, 'bad body'],
    [{ onResponse: 'log' }, 'bad onResponse'],
    [{ url: 'http://10.0.0.1/' }, 'not a loopback address'],
  ])('rejects %p', (override, message) => {
    expect(() => resolveOptions({ ...base, ...(override as object) })).toThrow(message);
  });
});
