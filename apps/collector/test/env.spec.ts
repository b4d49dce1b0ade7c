// The collector's own settings are checked at start-up: a bad value stops the service with a message
// naming the variable, before anything listens.
import { InvalidEnvironmentError, validateEnv } from '@airport-mesh/platform';
import { CollectorEnv } from '../src/collector.env.js';

describe('FRAMES_MAX_IN_FLIGHT', () => {
  it('defaults to 32 and takes an integer from 1 to 10,000', () => {
    expect(validateEnv(CollectorEnv, {}).FRAMES_MAX_IN_FLIGHT).toBe(32);
    expect(validateEnv(CollectorEnv, { FRAMES_MAX_IN_FLIGHT: '5' }).FRAMES_MAX_IN_FLIGHT).toBe(5);
  });

  it.each(['0', '-3', '2.5', 'many', '10001'])('refuses %s, naming the variable', (value) => {
    expect(() => validateEnv(CollectorEnv, { FRAMES_MAX_IN_FLIGHT: value })).toThrow(InvalidEnvironmentError);
    expect(() => validateEnv(CollectorEnv, { FRAMES_MAX_IN_FLIGHT: value })).toThrow(/FRAMES_MAX_IN_FLIGHT/);
  });
});

describe('FRAMES_TARGET_LATENCY_MS and FRAMES_MIN_IN_FLIGHT (the adaptive door)', () => {
  it('is off by default (0: a fixed door) and takes whole milliseconds', () => {
    expect(validateEnv(CollectorEnv, {}).FRAMES_TARGET_LATENCY_MS).toBe(0);
    expect(validateEnv(CollectorEnv, {}).FRAMES_MIN_IN_FLIGHT).toBe(2);
    const env = validateEnv(CollectorEnv, { FRAMES_TARGET_LATENCY_MS: '300', FRAMES_MIN_IN_FLIGHT: '1' });
    expect(env.FRAMES_TARGET_LATENCY_MS).toBe(300);
    expect(env.FRAMES_MIN_IN_FLIGHT).toBe(1);
  });

  it.each([
    ['FRAMES_TARGET_LATENCY_MS', '-1'],
    ['FRAMES_TARGET_LATENCY_MS', '0.5'],
    ['FRAMES_TARGET_LATENCY_MS', '60001'],
    ['FRAMES_MIN_IN_FLIGHT', '0'],
    ['FRAMES_MIN_IN_FLIGHT', 'few'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => validateEnv(CollectorEnv, { [name]: value })).toThrow(InvalidEnvironmentError);
    expect(() => validateEnv(CollectorEnv, { [name]: value })).toThrow(new RegExp(name));
  });

  it('refuses a least above the most while the door adapts, and ignores it while the door is fixed', () => {
    const both = { FRAMES_TARGET_LATENCY_MS: '300', FRAMES_MAX_IN_FLIGHT: '4', FRAMES_MIN_IN_FLIGHT: '5' };
    expect(() => validateEnv(CollectorEnv, both)).toThrow(
      /FRAMES_MIN_IN_FLIGHT=5: must not exceed FRAMES_MAX_IN_FLIGHT/,
    );
    // the default least (2) above a door of 1 only matters with a target
    expect(() => validateEnv(CollectorEnv, { FRAMES_TARGET_LATENCY_MS: '300', FRAMES_MAX_IN_FLIGHT: '1' })).toThrow(
      InvalidEnvironmentError,
    );
    expect(validateEnv(CollectorEnv, { FRAMES_MAX_IN_FLIGHT: '1' }).FRAMES_MAX_IN_FLIGHT).toBe(1);
    expect(validateEnv(CollectorEnv, { ...both, FRAMES_MIN_IN_FLIGHT: '4' }).FRAMES_MIN_IN_FLIGHT).toBe(4);
  });
});
