import preset from '../../jest.preset.js';
// ort-environment: typed arrays of the main realm (see the file). Without the preset's 'import'
// condition, require('long') inside onnx-proto/protobufjs gets long's CommonJS build, as in Node.
export default {
  ...preset,
  displayName: 'model-build',
  testEnvironment: '<rootDir>/test/ort-environment.js',
  testEnvironmentOptions: {
    ...preset.testEnvironmentOptions,
    customExportConditions: preset.testEnvironmentOptions.customExportConditions.filter((c) => c !== 'import'),
  },
};
