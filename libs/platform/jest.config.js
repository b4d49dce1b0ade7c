import preset from '../../jest.preset.js';
// The integration tests run real HTTP servers, injected delays and breaker half-open waits.
export default { ...preset, displayName: 'platform', testTimeout: 30_000 };
