// A small TF.js graph model written to disk, using the ops the two real models don't (strided
// convolution without padding, Relu6, Elu, AvgPool, MirrorPad, Prelu, ResizeBilinear, ConcatV2,
// Sub/RealDiv, Mean keep_dims, Transpose, StridedSlice, Squeeze, MatMul, Tanh…), plus float16
// and uint8 quantised weights, to check the converter op by op against TF.js.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Attr = Record<string, unknown>;
const s = (v: string) => ({ s: Buffer.from(v).toString('base64') });
const list = (v: number[]) => ({ list: { i: v.map(String) } });
const T = { T: { type: 'DT_FLOAT' } };

interface W {
  name: string;
  shape: number[];
  values: number[];
  quant?: 'float16' | 'uint8';
  dtype?: 'float32' | 'int32';
}

function f32ToF16(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >> 16) & 0x8000;
  let e = ((x >> 23) & 0xff) - 127 + 15;
  const m = x & 0x7fffff;
  if (e <= 0) return sign;
  if (e >= 31) return sign | 0x7c00;
  const r = m >> 13;
  e = e << 10;
  return sign | e | r;
}

export function writeSyntheticModel(
  dir: string,
  extraNodes: { name: string; op: string; input: string[]; attr?: Attr }[] = [],
  outputs?: string[],
): string {
  mkdirSync(dir, { recursive: true });
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const weights: W[] = [];
  const nodes: { name: string; op: string; input?: string[]; attr?: Attr }[] = [];
  const konst = (name: string, shape: number[], values?: number[], opts: Partial<W> = {}) => {
    const n = shape.reduce((a, b) => a * b, 1);
    weights.push({ name, shape, values: values ?? Array.from({ length: n }, () => rnd() * 0.5), ...opts });
    const dtype = opts.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    nodes.push({
      name,
      op: 'Const',
      attr: {
        dtype: { type: dtype },
        value: { tensor: { dtype, tensorShape: { dim: shape.map((d) => ({ size: String(d) })) } } },
      },
    });
    return name;
  };
  const int = (name: string, values: number[], shape = [values.length]) =>
    konst(name, shape, values, { dtype: 'int32' });
  const node = (name: string, op: string, input: string[], attr: Attr = {}) => {
    nodes.push({ name, op, input, attr: { ...T, ...attr } });
    return name;
  };
  nodes.push({
    name: 'x',
    op: 'Placeholder',
    attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [1, 12, 12, 3].map((d) => ({ size: String(d) })) } } },
  });
  const conv = node('conv', 'Conv2D', ['x', konst('k1', [3, 3, 3, 8], undefined, { quant: 'float16' })], {
    strides: list([1, 2, 2, 1]),
    padding: s('VALID'),
    data_format: s('NHWC'),
    dilations: list([1, 1, 1, 1]),
  });
  const bias = node('bias', 'BiasAdd', [conv, konst('b1', [8])], { data_format: s('NHWC') });
  const r6 = node('r6', 'Relu6', [bias]);
  const dw = node('dw', 'DepthwiseConv2dNative', [r6, konst('k2', [3, 3, 8, 1], undefined, { quant: 'uint8' })], {
    strides: list([1, 1, 1, 1]),
    padding: s('SAME'),
    data_format: s('NHWC'),
    dilations: list([1, 1, 1, 1]),
  });
  const elu = node('elu', 'Elu', [dw]);
  const avg = node('avg', 'AvgPool', [elu], {
    ksize: list([1, 2, 2, 1]),
    strides: list([1, 1, 1, 1]),
    padding: s('SAME'),
    data_format: s('NHWC'),
  });
  const mp = node('mirror', 'MirrorPad', [avg, int('mp_pads', [0, 0, 1, 1, 1, 1, 0, 0], [4, 2])], {
    mode: s('REFLECT'),
    Tpaddings: { type: 'DT_INT32' },
  });
  const prelu = node('prelu', 'Prelu', [mp, konst('alpha', [8])]);
  const rs = node('resize', 'ResizeBilinear', [prelu, int('rs_size', [10, 10])], {
    align_corners: { b: false },
    half_pixel_centers: { b: true },
  });
  const maxp = node('maxp', 'MaxPool', [rs], {
    ksize: list([1, 3, 3, 1]),
    strides: list([1, 2, 2, 1]),
    padding: s('VALID'),
    data_format: s('NHWC'),
  });
  const th = node('tanh', 'Tanh', [maxp]);
  const cat = node('cat', 'ConcatV2', [maxp, th, int('cat_axis', [3], [])], {
    N: { i: '2' },
    Tidx: { type: 'DT_INT32' },
  });
  const sub = node('sub', 'Sub', [cat, konst('sub_c', [16])]);
  const div = node('div', 'RealDiv', [sub, konst('two', [], [2])]);
  const mean = node('mean', 'Mean', [div, int('mean_axes', [1, 2])], {
    keep_dims: { b: true },
    Tidx: { type: 'DT_INT32' },
  });
  const tr = node('tr', 'Transpose', [div, int('perm', [0, 3, 1, 2])], { Tperm: { type: 'DT_INT32' } });
  const ss = node(
    'ss',
    'StridedSlice',
    [tr, int('ss_b', [0, 0, 1, 0]), int('ss_e', [0, 8, 3, 4]), int('ss_s', [1, 1, 1, 2])],
    {
      Index: { type: 'DT_INT32' },
      begin_mask: { i: '1' },
      end_mask: { i: '1' },
      ellipsis_mask: { i: '0' },
      new_axis_mask: { i: '0' },
      shrink_axis_mask: { i: '0' },
    },
  );
  const flat = node('flat', 'Reshape', [ss, int('flat_shape', [1, -1])], { Tshape: { type: 'DT_INT32' } });
  const sq = node('sq', 'Squeeze', [mean], { squeeze_dims: list([1, 2]) });
  const mm = node('mm', 'MatMul', [sq, konst('w_mm', [16, 32])], {
    transpose_a: { b: false },
    transpose_b: { b: false },
  });
  const mmb = node('mmb', 'AddV2', [mm, konst('b_mm', [32])]);
  const sig = node('sig', 'Sigmoid', [mmb]);
  const sum = node('sum', 'AddV2', [flat, sig]);
  const mx = node('mx', 'Maximum', [node('mn', 'Minimum', [sum, konst('hi', [], [0.9])]), konst('lo', [], [-0.9])]);
  node('out', 'Softmax', [mx]);
  node('out4d', 'Identity', [mean]);
  for (const n of extraNodes) nodes.push(n);

  // weights: float32/int32 raw, or quantised
  const chunks: Buffer[] = [];
  const specs = weights.map((w) => {
    if (w.dtype === 'int32') {
      chunks.push(Buffer.from(new Int32Array(w.values).buffer));
      return { name: w.name, shape: w.shape, dtype: 'int32' };
    }
    if (w.quant === 'float16') {
      chunks.push(Buffer.from(new Uint16Array(w.values.map(f32ToF16)).buffer));
      return {
        name: w.name,
        shape: w.shape,
        dtype: 'float32',
        quantization: { dtype: 'float16', original_dtype: 'float32' },
      };
    }
    if (w.quant === 'uint8') {
      const min = Math.min(...w.values);
      const scale = (Math.max(...w.values) - min) / 255;
      chunks.push(Buffer.from(Uint8Array.from(w.values, (v) => Math.round((v - min) / scale))));
      return {
        name: w.name,
        shape: w.shape,
        dtype: 'float32',
        quantization: { dtype: 'uint8', min, scale, original_dtype: 'float32' },
      };
    }
    chunks.push(Buffer.from(new Float32Array(w.values).buffer));
    return { name: w.name, shape: w.shape, dtype: 'float32' };
  });
  writeFileSync(join(dir, 'synthetic.bin'), Buffer.concat(chunks));
  const outs = outputs ?? ['out', 'out4d'];
  const model = {
    format: 'graph-model',
    generatedBy: 'airport-mesh test',
    convertedBy: 'hand',
    modelTopology: { node: nodes, library: {}, versions: {} },
    weightsManifest: [{ paths: ['synthetic.bin'], weights: specs }],
    signature: {
      inputs: { 'x:0': { name: 'x:0', dtype: 'DT_FLOAT' } },
      outputs: Object.fromEntries(outs.map((o) => [`${o}:0`, { name: `${o}:0`, dtype: 'DT_FLOAT' }])),
    },
  };
  const path = join(dir, 'synthetic.json');
  writeFileSync(path, JSON.stringify(model));
  return path;
}
