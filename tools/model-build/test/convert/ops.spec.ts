// Op-family handlers alone: a context holding only the family under test (and the sources), the ONNX
// node(s) a handler emits for a small input, and tiny converted graphs run in onnxruntime.
import { UnsupportedOpError } from '../../src/convert/graph.js';
import { OP_FAMILIES, OP_HANDLERS } from '../../src/convert/ops/index.js';
import { activationOps } from '../../src/convert/ops/activation.js';
import { padOps } from '../../src/convert/ops/pad.js';
import { poolOps } from '../../src/convert/ops/pool.js';
import { reduceOps } from '../../src/convert/ops/reduce.js';
import { shapeOps } from '../../src/convert/ops/shape.js';
import { sliceOps } from '../../src/convert/ops/slice.js';
import { sourceOps } from '../../src/convert/ops/source.js';
import { attrOf, contextFor, convertWith, list, runOnnx, s, TinyGraph } from '../tiny-graph.js';

test('the handler table is the union of the families, each op in one family', () => {
  const perFamily = Object.values(OP_FAMILIES).map((t) => Object.keys(t));
  const all = perFamily.flat();
  expect(new Set(all).size).toBe(all.length);
  expect(Object.keys(OP_HANDLERS).sort()).toEqual(all.sort());
  expect(Object.keys(OP_FAMILIES.conv).sort()).toEqual([
    'Conv2D',
    'DepthwiseConv2dNative',
    'FusedDepthwiseConv2dNative',
    '_FusedConv2D',
  ]);
});

test('an op outside the table fails naming the op and the node, also for an inherited property name', () => {
  const t = new TinyGraph();
  t.node('p', 'MaxPool', [t.input('x', [1, 2, 2, 1])]);
  t.node('weird', 'toString', [t.input('z', [1])]);
  const ctx = contextFor(t.model(['p']), sourceOps);
  expect(() => ctx.valueOf('p')).toThrow(UnsupportedOpError);
  expect(() => ctx.valueOf('p')).toThrow('unsupported TF op "MaxPool" (node "p")');
  expect(() => contextFor(t.model(['weird']), OP_HANDLERS).valueOf('weird')).toThrow(
    'unsupported TF op "toString" (node "weird")',
  );
});

test('pool: MaxPool 2×2/2 SAME on a 3×3 image pads the end (TF SAME), NCHW, and takes the window maxima', async () => {
  const t = new TinyGraph();
  const attrs = { ksize: list([1, 2, 2, 1]), strides: list([1, 2, 2, 1]), padding: s('SAME') };
  t.node('p', 'MaxPool', [t.input('x', [1, 3, 3, 1])], attrs);
  const ctx = contextFor(t.model(['p']), { ...sourceOps, ...poolOps }, 'NCHW');
  const v = ctx.valueOf('p');
  expect(v).toMatchObject({ shape: [1, 2, 2, 1], nchw: true });
  expect(ctx.g.nodes).toHaveLength(1);
  const [pool] = ctx.g.nodes;
  expect(pool.opType).toBe('MaxPool');
  expect([attrOf(pool, 'kernel_shape'), attrOf(pool, 'strides'), attrOf(pool, 'pads')]).toEqual([
    [2, 2],
    [2, 2],
    [0, 0, 1, 1],
  ]);
  const res = convertWith(t.model(['p']), OP_HANDLERS);
  const out = await runOnnx(res.onnx, { name: 'x', dims: [1, 3, 3, 1], data: [1, 5, 2, 7, 3, 9, 4, 8, 6] });
  expect(out.p.data).toEqual([7, 9, 8, 6]);
});

test('reduce: Mean over H and W of an NCHW value is one ReduceMean over axes [2, 3], no Transpose', async () => {
  const t = new TinyGraph();
  t.node('m', 'Mean', [t.input('x', [1, 2, 2, 3]), t.konst('axes', [2], [1, 2], 'int32')], { keep_dims: { b: false } });
  const ctx = contextFor(t.model(['m']), { ...sourceOps, ...reduceOps }, 'NCHW');
  expect(ctx.valueOf('m')).toMatchObject({ shape: [1, 3], nchw: false });
  expect(ctx.g.nodes.map((n) => [n.opType, attrOf(n, 'axes'), attrOf(n, 'keepdims')])).toEqual([
    ['ReduceMean', [2, 3], 0],
  ]);
  const res = convertWith(t.model(['m']), OP_HANDLERS, 'NCHW');
  const nchw = [1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400]; // channel c = 10^c · [1, 2, 3, 4]
  expect((await runOnnx(res.onnx, { name: 'x', dims: [1, 3, 2, 2], data: nchw })).m.data).toEqual([2.5, 25, 250]);
});

test('shape: Reshape of an NCHW value reads it in TF order (Transpose to NHWC first)', async () => {
  const t = new TinyGraph();
  t.node('r', 'Reshape', [t.input('x', [1, 2, 1, 2]), t.konst('shape', [2], [1, -1], 'int32')]);
  const ctx = contextFor(t.model(['r']), { ...sourceOps, ...shapeOps }, 'NCHW');
  expect(ctx.valueOf('r')).toMatchObject({ shape: [1, 4], nchw: false });
  expect(ctx.g.nodes.map((n) => n.opType)).toEqual(['Transpose', 'Reshape']);
  expect(attrOf(ctx.g.nodes[0], 'perm')).toEqual([0, 2, 3, 1]);
  const res = convertWith(t.model(['r']), OP_HANDLERS, 'NCHW');
  // NCHW [c0: (h0, h1) = (1, 2), c1: (3, 4)] is NHWC [h0: (1, 3), h1: (2, 4)]
  expect((await runOnnx(res.onnx, { name: 'x', dims: [1, 2, 2, 1], data: [1, 2, 3, 4] })).r.data).toEqual([1, 3, 2, 4]);
});

test('shape: ConcatV2 on the TF channel axis of NCHW values concatenates ONNX axis 1', () => {
  const t = new TinyGraph();
  const x = t.input('x', [1, 2, 2, 3]);
  t.node('c', 'ConcatV2', [x, x, t.konst('axis', [], [-1], 'int32')]);
  const ctx = contextFor(t.model(['c']), { ...sourceOps, ...shapeOps }, 'NCHW');
  expect(ctx.valueOf('c')).toMatchObject({ shape: [1, 2, 2, 6], nchw: true });
  expect(ctx.g.nodes.map((n) => [n.opType, attrOf(n, 'axis')])).toEqual([['Concat', 1]]);
});

test('slice: StridedSlice with a shrink axis is Slice then Squeeze, and picks the row', async () => {
  const t = new TinyGraph();
  const int = (name: string, v: number[]) => t.konst(name, [v.length], v, 'int32');
  t.node('ss', 'StridedSlice', [t.input('x', [3, 4]), int('b', [1, 0]), int('e', [2, 4]), int('st', [1, 2])], {
    shrink_axis_mask: { i: '1' },
  });
  const ctx = contextFor(t.model(['ss']), { ...sourceOps, ...sliceOps });
  expect(ctx.valueOf('ss')).toMatchObject({ shape: [2], nchw: false });
  expect(ctx.g.nodes.map((n) => n.opType)).toEqual(['Slice', 'Squeeze']);
  const res = convertWith(t.model(['ss']), OP_HANDLERS);
  const x = Array.from({ length: 12 }, (_, i) => i);
  expect((await runOnnx(res.onnx, { name: 'x', dims: [3, 4], data: x })).ss.data).toEqual([4, 6]);
});

// NCHW [1, C, H, W] data of the NHWC tensor that holds `f(h, w, c)` at [0, h, w, c], and back
const nchwOf = (c: number, h: number, w: number, f: (h: number, w: number, c: number) => number) =>
  Array.from({ length: c * h * w }, (_, i) => f(Math.floor(i / w) % h, i % w, Math.floor(i / (h * w))));

test('activation: Prelu of an NCHW value with a constant slope is Relu + depthwise 1×1 Convs, the same values bit for bit', async () => {
  const C = 16; // a whole NCHWc block: onnxruntime runs these Convs in its blocked layout
  const slope = Array.from({ length: C }, (_, c) => [-0.31, 0, 0.25, 1, 1.24, 0.013][c % 6] * (1 + c / 7));
  const t = new TinyGraph();
  t.node('p', 'Prelu', [t.input('x', [1, 4, 4, C]), t.konst('alpha', [C], slope)]);
  const ctx = contextFor(t.model(['p']), { ...sourceOps, ...activationOps }, 'NCHW');
  expect(ctx.valueOf('p')).toMatchObject({ shape: [1, 4, 4, C], nchw: true });
  expect(ctx.g.nodes.map((n) => [n.opType, attrOf(n, 'group') ?? null])).toEqual([
    ['Relu', null],
    ['Conv', C],
    ['Relu', null],
    ['Conv', C],
    ['Add', null],
  ]);
  const res = convertWith(t.model(['p']), OP_HANDLERS, 'NCHW');
  const value = (h: number, w: number, c: number) =>
    [-3.7, 0, 2.5, -0.001, 1e-3, -1e4, 7.25, -0][(h * 4 + w + c) % 8] * (1 + c);
  const x = nchwOf(C, 4, 4, value);
  const out = (await runOnnx(res.onnx, { name: 'x', dims: [1, C, 4, 4], data: x })).p;
  expect(out.dims).toEqual([1, 4, 4, C]);
  // what Relu(x) + slope · Min(x, 0) gives in float32, in the output's NHWC order
  const want = Array.from({ length: 4 * 4 * C }, (_, i) => {
    const c = i % C;
    const v = Math.fround(value(Math.floor(i / (4 * C)), Math.floor(i / C) % 4, c));
    return v < 0 ? Math.fround(Math.fround(slope[c]) * v) : v;
  });
  expect(out.data.map((v) => v + 0)).toEqual(want.map((v) => v + 0)); // + 0: −0 and 0 are the same value here
});

test('pad: zeros on the channels of an NCHW value are one 1×1 Conv that embeds the input; other padding stays a Pad', async () => {
  const t = new TinyGraph();
  const x = t.input('x', [1, 2, 3, 2]);
  t.node('ch', 'Pad', [x, t.konst('pc', [4, 2], [0, 0, 0, 0, 0, 0, 1, 3], 'int32')]);
  t.node('sp', 'Pad', [x, t.konst('ps', [4, 2], [0, 0, 1, 0, 0, 0, 0, 0], 'int32')]);
  const ctx = contextFor(t.model(['ch', 'sp']), { ...sourceOps, ...padOps }, 'NCHW');
  expect(ctx.valueOf('ch')).toMatchObject({ shape: [1, 2, 3, 6], nchw: true });
  expect(ctx.valueOf('sp')).toMatchObject({ shape: [1, 3, 3, 2], nchw: true });
  expect(ctx.g.nodes.map((n) => n.opType)).toEqual(['Conv', 'Pad']);
  const res = convertWith(t.model(['ch']), OP_HANDLERS, 'NCHW');
  const value = (h: number, w: number, c: number) => (c ? -1 : 1) * (1.5 + h * 3 + w) * 1e-3;
  const out = (await runOnnx(res.onnx, { name: 'x', dims: [1, 2, 2, 3], data: nchwOf(2, 2, 3, value) })).ch;
  expect(out.dims).toEqual([1, 2, 3, 6]);
  const want = Array.from({ length: 2 * 3 * 6 }, (_, i) => {
    const c = (i % 6) - 1;
    return c === 0 || c === 1 ? Math.fround(value(Math.floor(i / 18), Math.floor(i / 6) % 3, c)) : 0;
  });
  expect(out.data).toEqual(want);
});
