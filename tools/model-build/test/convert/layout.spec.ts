// Layout tracking alone: the NHWC→NCHW permutation of data, the Transposes the tracker emits (once per
// value), constants re-laid out at conversion time, and a tiny graph run in onnxruntime.
import { OnnxGraphBuilder } from '../../src/onnx-builder.js';
import {
  AXIS_IN_NCHW,
  LayoutTracker,
  NCHW_FROM_NHWC,
  NHWC_FROM_NCHW,
  transposeData,
  type Value,
} from '../../src/convert/layout.js';
import { OP_HANDLERS } from '../../src/convert/ops/index.js';
import { convertWith, decodeModel, runOnnx, TinyGraph } from '../tiny-graph.js';

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

test('transposeData NHWC→NCHW puts x[n,h,w,c] at [n,c,h,w], and back', () => {
  const [N, H, W, C] = [2, 2, 3, 4];
  const x = iota(N * H * W * C);
  const t = transposeData(x, [N, H, W, C], NCHW_FROM_NHWC);
  expect(t.shape).toEqual([N, C, H, W]);
  for (let n = 0; n < N; n++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let c = 0; c < C; c++)
          expect(t.data[((n * C + c) * H + h) * W + w]).toBe(x[((n * H + h) * W + w) * C + c]);
  const back = transposeData(t.data, t.shape, NHWC_FROM_NCHW);
  expect(back.shape).toEqual([N, H, W, C]);
  expect(Array.from(back.data)).toEqual(Array.from(x));
  // TF axis a is ONNX axis AXIS_IN_NCHW[a]: the NCHW shape read through it is the NHWC shape
  expect([0, 1, 2, 3].map((a) => t.shape[AXIS_IN_NCHW[a]])).toEqual([N, H, W, C]);
  expect(transposeData(Int32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0]).data).toEqual(
    Int32Array.from([1, 4, 2, 5, 3, 6]),
  );
});

test('an NHWC value asked for as NCHW gets one Transpose [0,3,1,2], reused; an NCHW value needs none', () => {
  const g = new OnnxGraphBuilder();
  const layout = new LayoutTracker(g);
  const x: Value = { name: 'x', shape: [1, 4, 4, 3], dtype: 'float32', nchw: false };
  const a = layout.nchw(x, 'conv1');
  const b = layout.nchw(x, 'conv2');
  expect(a).toBe(b);
  expect(g.nodes).toHaveLength(1);
  expect(g.nodes[0].opType).toBe('Transpose');
  expect(g.nodes[0].attribute![0].ints).toEqual([0, 3, 1, 2]);
  const y: Value = { name: 'y', shape: [1, 4, 4, 3], dtype: 'float32', nchw: true };
  expect(layout.nchw(y, 'pool')).toBe('y');
  expect(layout.plain(y, 'reshape')).toBe(layout.plain(y, 'out'));
  expect(g.nodes).toHaveLength(2);
  expect(g.nodes[1].attribute![0].ints).toEqual([0, 2, 3, 1]);
  expect(() => layout.nchw({ name: 'v', shape: [2, 3], dtype: 'float32', nchw: false }, 'bad')).toThrow(
    'bad: expected a rank-4 tensor, got [2,3]',
  );
});

test('a per-channel constant against an NCHW operand becomes a [1,C,1,1] initializer, no node', () => {
  const g = new OnnxGraphBuilder();
  const layout = new LayoutTracker(g);
  const c: Value = {
    name: '',
    shape: [3],
    dtype: 'float32',
    nchw: false,
    constant: { dtype: 'float32', shape: [3], data: Float32Array.from([10, 20, 30]) },
  };
  const name = layout.nchwOperand(c, 'add/b');
  expect(g.nodes).toHaveLength(0);
  const init = g.initializers.find((i) => i.name === name)!;
  expect(init.dims).toEqual([1, 3, 1, 1]);
  expect(Array.from(new Float32Array(Uint8Array.from(init.rawData!).buffer))).toEqual([10, 20, 30]);
  // a computed rank-2 tensor cannot be broadcast against NCHW without knowing its meaning
  expect(() => layout.nchwOperand({ name: 'v', shape: [2, 3], dtype: 'float32', nchw: false }, 'mul/b')).toThrow(
    /broadcasting a rank-2 computed tensor/,
  );
});

test('onnxruntime: NCHW input + per-channel constant, read back as NHWC, equals x + c[channel]', async () => {
  const t = new TinyGraph();
  const x = t.input('x', [1, 2, 2, 3]);
  t.node('y', 'AddV2', [x, t.konst('c', [3], [100, 200, 300])]);
  const res = convertWith(t.model(['y']), OP_HANDLERS, 'NCHW');
  expect(res.inputs[0]).toMatchObject({ name: 'x', shape: [1, 3, 2, 2], layout: 'NCHW' });
  // the Add runs in NCHW; the one Transpose is the output's, back to TF order
  const ops = decodeModel(res.onnx).nodes.map((n) => n.opType);
  expect(ops).toEqual(['Add', 'Transpose', 'Identity']);
  const nhwc = Array.from({ length: 12 }, (_, i) => i * 0.5);
  const nchw = Array.from(transposeData(Float32Array.from(nhwc), [1, 2, 2, 3], NCHW_FROM_NHWC).data);
  const out = await runOnnx(res.onnx, { name: 'x', dims: [1, 3, 2, 2], data: nchw });
  expect(out.y.dims).toEqual([1, 2, 2, 3]);
  expect(out.y.data).toEqual(nhwc.map((v, i) => v + [100, 200, 300][i % 3]));
});
