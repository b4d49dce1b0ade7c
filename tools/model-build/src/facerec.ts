// face-api's face recognition network (a ResNet-34-like net ported from dlib's face recognition model,
// 128-d descriptor, 150×150 input) as ONNX. face-api ships only its weights (a TF.js weights manifest);
// the network is written in its code (src/faceRecognitionNet: FaceRecognitionNet.ts, residualLayer.ts,
// convLayer.ts, scaleLayer.ts). This file writes the same network with the same weights:
//
//   x = (rgb − mean) / 255
//   convDown(7×7, stride 2, valid) → maxPool(3, stride 2, valid)
//   3 × residual(32), residualDown(64) + 3 × residual(64), residualDown(128) + 2 × residual(128),
//   residualDown(256) + 2 × residual(256), residualDown(256 "out") → mean over H, W → × fc (256 × 128)
//
// Every conv layer is conv + bias, then a per-channel scale layer (x · weights + biases), folded here
// into the conv's weights and bias. residualDown adds an average-pooled shortcut padded with zero
// channels, and pads its main branch with a zero row and column when its size came out one short (as
// face-api does with tf.concat of zeros). test/facerec.spec.ts compares its descriptors with face-api's
// own TF.js network; `nx run vision:recognition-peer` measures it on the evaluation set beside FaceRes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPackageDir, packageVersion } from './models.js';
import { ElemType, OnnxGraphBuilder } from './onnx-builder.js';
import { loadTfWeights, type ConstTensor } from './tfjs-model.js';

export const FACEREC_SIZE = 150;
/** face-api's mean RGB, subtracted before the division by 255. */
export const FACEREC_MEAN_RGB = [122.782, 117.001, 104.298];

function weight(weights: Map<string, ConstTensor>, name: string): Float32Array {
  const w = weights.get(name);
  if (!w || w.dtype !== 'float32') throw new Error(`face recognition weights: no float32 ${name}`);
  return w.data as Float32Array;
}

/** Conv + bias + scale of `prefix` (filters HWIO) as one ONNX Conv with folded OIHW weights. */
function convLayer(
  b: OnnxGraphBuilder,
  weights: Map<string, ConstTensor>,
  x: string,
  prefix: string,
  stride: 1 | 2,
  padding: 'same' | 'valid',
  relu: boolean,
): string {
  const filters = weights.get(`${prefix}/conv/filters`);
  if (!filters) throw new Error(`face recognition weights: no ${prefix}/conv/filters`);
  const [kh, kw, cin, cout] = filters.shape;
  const f = filters.data as Float32Array;
  const bias = weight(weights, `${prefix}/conv/bias`);
  const scale = weight(weights, `${prefix}/scale/weights`);
  const shift = weight(weights, `${prefix}/scale/biases`);
  const w = new Float32Array(cout * cin * kh * kw);
  for (let o = 0; o < cout; o++)
    for (let i = 0; i < cin; i++)
      for (let y = 0; y < kh; y++)
        for (let z = 0; z < kw; z++)
          w[((o * cin + i) * kh + y) * kw + z] = f[((y * kw + z) * cin + i) * cout + o] * scale[o];
  const bFolded = Float32Array.from({ length: cout }, (_, o) => bias[o] * scale[o] + shift[o]);
  // TensorFlow's 'same' with stride 1 and an odd kernel pads (k − 1) / 2 on each side
  const p = padding === 'same' ? (kh - 1) / 2 : 0;
  const y = b.op(
    'Conv',
    [x, b.initFloat(`${prefix}/W`, [cout, cin, kh, kw], w), b.initFloat(`${prefix}/B`, [cout], bFolded)],
    { kernel_shape: [kh, kw], strides: [stride, stride], pads: [p, p, p, p] },
    prefix,
  );
  return relu ? b.op('Relu', [y], {}, `${prefix}/relu`) : y;
}

function pad(b: OnnxGraphBuilder, x: string, pads: number[], hint: string): string {
  return b.op('Pad', [x, b.initInt64(`${hint}/pads`, [8], pads)], { mode: 'constant' }, hint);
}

/** The ONNX model of face-api's FaceRecognitionNet: input `input` [N, 3, 150, 150] RGB 0..255, output `descriptor` [N, 128]. */
export function buildFaceRecognition(weights: Map<string, ConstTensor>, docString: string): Uint8Array {
  const b = new OnnxGraphBuilder();
  b.addInput('input', ElemType.FLOAT, [{ param: 'N' }, { value: 3 }, { value: FACEREC_SIZE }, { value: FACEREC_SIZE }]);
  let size = FACEREC_SIZE;
  let x = b.op('Sub', ['input', b.initFloat('mean', [1, 3, 1, 1], Float32Array.from(FACEREC_MEAN_RGB))]);
  x = b.op('Mul', [x, b.initFloat('inv255', [], Float32Array.of(1 / 255))]);

  x = convLayer(b, weights, x, 'conv32_down', 2, 'valid', true);
  size = Math.floor((size - 7) / 2) + 1;
  x = b.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2] }, 'maxpool');
  size = Math.floor((size - 3) / 2) + 1;
  let channels = 32;

  const residual = (name: string) => {
    const out = convLayer(b, weights, x, `${name}/conv1`, 1, 'same', true);
    const sum = b.op('Add', [convLayer(b, weights, out, `${name}/conv2`, 1, 'same', false), x], {}, `${name}/add`);
    x = b.op('Relu', [sum], {}, `${name}/relu`);
  };
  const residualDown = (name: string, cout: number) => {
    let out = convLayer(b, weights, x, `${name}/conv1`, 2, 'valid', true);
    out = convLayer(b, weights, out, `${name}/conv2`, 1, 'same', false);
    const outSize = Math.floor((size - 3) / 2) + 1;
    const pooledSize = Math.floor(size / 2);
    let pooled = b.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] }, `${name}/pool`);
    if (pooledSize !== outSize) {
      if (pooledSize !== outSize + 1) throw new Error(`${name}: shortcut ${pooledSize}, main ${outSize}`);
      // face-api appends one row and one column of zeros to the main branch
      out = pad(b, out, [0, 0, 0, 0, 0, 0, 1, 1], `${name}/pad_hw`);
    }
    // and as many zero channels to the shortcut as the main branch has more
    if (cout !== channels) pooled = pad(b, pooled, [0, 0, 0, 0, 0, cout - channels, 0, 0], `${name}/pad_c`);
    x = b.op('Relu', [b.op('Add', [pooled, out], {}, `${name}/add`)], {}, `${name}/relu`);
    size = pooledSize;
    channels = cout;
  };

  residual('conv32_1');
  residual('conv32_2');
  residual('conv32_3');
  residualDown('conv64_down', 64);
  residual('conv64_1');
  residual('conv64_2');
  residual('conv64_3');
  residualDown('conv128_down', 128);
  residual('conv128_1');
  residual('conv128_2');
  residualDown('conv256_down', 256);
  residual('conv256_1');
  residual('conv256_2');
  residualDown('conv256_down_out', 256);

  const pooled = b.op('ReduceMean', [x], { axes: [2, 3], keepdims: 0 }, 'global_mean');
  const fc = weights.get('fc');
  if (!fc || fc.shape.join() !== '256,128') throw new Error('face recognition weights: no fc of 256 × 128');
  const descriptor = b.op('MatMul', [pooled, b.initFloat('fc', [256, 128], fc.data as Float32Array)], {}, 'fc');
  b.op('Identity', [descriptor], {}, 'descriptor_out');
  b.nodes[b.nodes.length - 1].output = ['descriptor'];
  b.addOutput('descriptor', ElemType.FLOAT, [{ param: 'N' }, { value: 128 }]);
  return b.encode('facerec', docString, {
    input: 'RGB 0..255 float, 150×150 face crop, NCHW; output 128-d descriptor',
  });
}

/** Reads face-api's weights from its npm package and returns the ONNX model and where it came from. */
export function faceRecognitionFromPackage(): { onnx: Uint8Array; source: string } {
  const dir = findPackageDir('@vladmandic/face-api');
  const source = `@vladmandic/face-api@${packageVersion(dir)}/model/face_recognition_model`;
  const weights = loadTfWeights(join(dir, 'model/face_recognition_model-weights_manifest.json'));
  return {
    onnx: buildFaceRecognition(weights, `${source} (dlib's ResNet, as face-api writes it) by airport-mesh model-build`),
    source,
  };
}

// `nx run model-build:facerec`: writes dist/peer/facerec.onnx (a peer for the evaluation, not loaded by any service)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? 'dist/peer');
  mkdirSync(out, { recursive: true });
  const { onnx, source } = faceRecognitionFromPackage();
  writeFileSync(join(out, 'facerec.onnx'), onnx);
  console.log(`facerec.onnx: ${onnx.length} bytes from ${source}, written to ${out}`);
}
