import preset from '../../jest.preset.js';
// The bounded pass starts the whole local stack and sends a few hundred requests per service.
export default { ...preset, displayName: 'fuzz', testTimeout: 240_000 };
