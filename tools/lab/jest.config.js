import preset from '../../jest.preset.js';
// The local-lab test starts real stacks and runs real load: minutes, not seconds.
export default { ...preset, displayName: 'lab', testTimeout: 300_000, maxWorkers: 1 };
