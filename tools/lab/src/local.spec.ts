// What a local run records of the settings its services inherit from the lab's own environment.
import { inheritedSettings } from './local.js';

describe('the settings a run inherits from the lab’s environment', () => {
  it('records the service settings set before `lab run`, not the rest of the environment, and the run’s own win', () => {
    const processEnv = {
      ANALYSIS_QUEUE: '1',
      RESILIENCE_RETRY_BUDGET_PERCENT: '20',
      RESILIENCE_RETRIES: '9',
      VISION_FACERES: 'fp32',
      PATH: '/usr/bin',
      HOME: '/root',
      NODE_OPTIONS: '--cpu-prof',
      HTTP_PROXY: 'http://user:secret@proxy:3128',
      HTTP_DEADLINE_MS: '4000',
    };
    expect(inheritedSettings(processEnv, { RESILIENCE: 'client', RESILIENCE_RETRIES: '5' })).toEqual({
      ANALYSIS_QUEUE: '1',
      RESILIENCE_RETRY_BUDGET_PERCENT: '20',
      VISION_FACERES: 'fp32',
      HTTP_DEADLINE_MS: '4000',
    });
    expect(inheritedSettings({ PATH: '/usr/bin' }, {})).toEqual({});
  });
});
