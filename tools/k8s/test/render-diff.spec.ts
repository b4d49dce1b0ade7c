// The semantic diff of rendered manifests (src/render-diff.ts): key order and object order do not
// count, every other change does, and two real renders of the same tree are equal.
import { join } from 'node:path';
import { repoRoot } from '../src/paths.js';
import { render, type K8sObject } from '../src/render.js';
import { canonicalSet, diffSets } from '../src/render-diff.js';

const cm = (name: string, data: Record<string, string>): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'airport-mesh' },
  data,
});

describe('render-diff', () => {
  it('ignores the order of objects and of mapping keys', () => {
    const a = [cm('a', { x: '1', y: '2' }), cm('b', {})];
    const b = [
      cm('b', {}),
      {
        kind: 'ConfigMap',
        data: { y: '2', x: '1' },
        apiVersion: 'v1',
        metadata: { namespace: 'airport-mesh', name: 'a' },
      },
    ];
    expect(diffSets('t', a, b)).toEqual({ target: 't', added: [], removed: [], changed: [] });
  });

  it('reports added, removed and changed objects, with a diff of each changed one', () => {
    const d = diffSets('t', [cm('a', { x: '1' }), cm('gone', {})], [cm('a', { x: '2' }), cm('new', {})]);
    expect(d.added).toEqual(['v1 ConfigMap airport-mesh/new']);
    expect(d.removed).toEqual(['v1 ConfigMap airport-mesh/gone']);
    expect(d.changed.map((c) => c.key)).toEqual(['v1 ConfigMap airport-mesh/a']);
    expect(d.changed[0].diff).toMatch(/^-\s+x: "1"$/m);
    expect(d.changed[0].diff).toMatch(/^\+\s+x: "2"$/m);
  });

  it('keeps the order of lists (it is meaningful: routes, containers, env)', () => {
    const d = diffSets('t', [cm('a', {})], [{ ...cm('a', {}), spec: { http: [{ name: 'b' }, { name: 'a' }] } }]);
    expect(d.changed).toHaveLength(1);
  });

  it('finds two renders of the same overlay equal, object by object', async () => {
    const dir = join(repoRoot(), 'deploy/overlays/istio');
    const [a, b] = [await render(dir), await render(dir)];
    expect(canonicalSet(a).size).toBeGreaterThan(40);
    expect(diffSets('istio', a, b.reverse())).toMatchObject({ added: [], removed: [], changed: [] });
  }, 60_000);
});
