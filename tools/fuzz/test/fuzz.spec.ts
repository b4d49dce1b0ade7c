/**
 * The bounded fuzz pass CI runs: the whole local stack, a fixed seed, 60 requests per service (every
 * operation of every service's OpenAPI document, valid and mutated); nothing may answer 5xx, every
 * 4xx is a problem body, a refused write changes no store, no process exits.
 */
import { runFuzz } from '../src/runner.js';

it('no 5xx, a problem body on every 4xx, nothing stored when refused, no process exit (seed 1)', async () => {
  const report = await runFuzz({ requestsPerService: 60, seed: 1, portOffset: 2600 });
  for (const s of report.services) {
    expect({ service: s.service, failures: s.failures }).toEqual({ service: s.service, failures: [] });
    expect(s.requests).toBeGreaterThanOrEqual(40);
    expect(s.serverErrors + s.missingProblemBodies + s.storedWhenRefused + s.processExits).toBe(0);
  }
  expect(report.services).toHaveLength(7);
});
