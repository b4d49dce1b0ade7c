// The test environment of every project (jest.preset.js).
// Jest runs test code in a vm context whose typed-array constructors differ from the main realm's.
// onnxruntime-node's native binding creates its output tensors' Float32Arrays in the main realm,
// and onnxruntime-common then rejects them (`instanceof Float32Array` fails). Giving the test
// context the main realm's typed-array constructors (as jest-environment-node already does for
// Uint8Array and ArrayBuffer) makes both sides agree.
import { TestEnvironment } from 'jest-environment-node';

const TYPED_ARRAYS = [
  'Int8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Float16Array',
];

export default class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) if (globalThis[name]) this.global[name] = globalThis[name];
  }
}
