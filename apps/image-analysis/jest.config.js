import preset from '../../jest.preset.js';
export default { ...preset, displayName: 'image-analysis', testTimeout: 60_000 };
