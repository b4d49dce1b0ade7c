// Graph reading alone: tensor references, consumers (control inputs are not data), constants, the
// single-consumer rule the rewrites rely on, and the default inputs/outputs.
import { parseInput, TfGraph } from '../../src/convert/graph.js';
import { TinyGraph } from '../tiny-graph.js';

test('parseInput: node, node:index, and control dependencies', () => {
  expect(parseInput('conv')).toEqual({ node: 'conv', index: 0 });
  expect(parseInput('split:2')).toEqual({ node: 'split', index: 2 });
  expect(parseInput('block/conv:0')).toEqual({ node: 'block/conv', index: 0 });
  expect(parseInput('^init')).toBeNull();
});

test('consumers, single consumer, constants and the default graph inputs/outputs', () => {
  const t = new TinyGraph();
  const x = t.input('x', [1, 4]);
  const c = t.konst('c', [4], [1, 2, 3, 4]);
  const a = t.node('a', 'AddV2', [x, c, '^x']);
  t.node('b', 'Relu', [a]);
  t.node('d', 'Sigmoid', [x]);
  const g = new TfGraph(t.model([]));
  expect(g.dataInputs(g.byName.get('a')!)).toEqual([
    { node: 'x', index: 0 },
    { node: 'c', index: 0 },
  ]);
  expect(g.consumers.get('x')!.map((n) => n.name)).toEqual(['a', 'd']);
  expect(g.single('a')!.name).toBe('b');
  expect(g.single('x')).toBeUndefined();
  expect(Array.from(g.constOf('c')!.data)).toEqual([1, 2, 3, 4]);
  expect(g.constOf('a')).toBeUndefined();
  expect(g.graphInputs()).toEqual(['x']);
  expect(g.graphOutputs()).toEqual(['b', 'd']);
  // a graph output is never absorbed by a rewrite, even with one consumer
  expect(new TfGraph(t.model(['a'])).single('a')).toBeUndefined();
  t.nodes.push({ name: 'lost', op: 'Const' });
  expect(() => new TfGraph(t.model([])).constOf('lost')).toThrow('Const node "lost" has no weight data');
});
