import preset from '../../jest.preset.js';
export default { ...preset, displayName: 'local-stack', testTimeout: 120_000, maxWorkers: 1 };
