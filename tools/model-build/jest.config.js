import preset from '../../jest.preset.js';
// ort-environment: typed arrays of the main realm, see the file
export default { ...preset, displayName: 'model-build', testEnvironment: '<rootDir>/test/ort-environment.js' };
