// Shared Jest settings. Tests run as native ES modules (NestJS 12 ships ESM only), transformed by SWC
// with decorator metadata, so `node --experimental-vm-modules` runs Jest (see each project's test target).
// Workspace libraries resolve to their TypeScript sources through the `@airport-mesh/source` export
// condition, so a test never needs a prior build of the libraries it imports.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const swcrc = JSON.parse(readFileSync(fileURLToPath(new URL('./.swcrc', import.meta.url)), 'utf8'));

export default {
  // Node's environment with the main realm's typed arrays, so onnxruntime-node's tensors pass its own checks.
  testEnvironment: fileURLToPath(new URL('./tools/jest/node-environment.js', import.meta.url)),
  // Many tests start real processes and talk to them over HTTP; on a busy 2-core machine that takes time
  // (a hook that starts services waits up to TEST_READY_TIMEOUT_MS, 45 s, for each to be ready).
  testTimeout: 60_000,
  testEnvironmentOptions: {
    customExportConditions: ['@airport-mesh/source', 'node', 'node-addons', 'import', 'default'],
  },
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, sourceMaps: 'inline', swcrc: false }] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // class-validator's ES build imports libphonenumber-js's ES build, which imports JSON without an
    // import attribute (a Jest deprecation warning per file); its CommonJS build is the same code.
    '^libphonenumber-js/max$': fileURLToPath(
      new URL('./node_modules/libphonenumber-js/max/index.cjs', import.meta.url),
    ),
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  coverageReporters: ['text-summary', 'lcov'],
};
