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
