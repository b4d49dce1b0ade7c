import preset from '../../jest.preset.js';
export default { ...preset, displayName: 'face-recognition', testTimeout: 60_000 };
