import preset from '../../jest.preset.js';
// Without the preset's 'import'
// condition, require('long') inside onnx-proto/protobufjs gets long's CommonJS build, as in Node.
export default {
  ...preset,
  displayName: 'model-build',
  testEnvironmentOptions: {
    ...preset.testEnvironmentOptions,
    customExportConditions: preset.testEnvironmentOptions.customExportConditions.filter((c) => c !== 'import'),
  },
};
