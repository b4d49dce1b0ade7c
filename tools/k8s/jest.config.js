import preset from '../../jest.preset.js';
export default { ...preset, displayName: 'k8s', maxWorkers: 1 };
