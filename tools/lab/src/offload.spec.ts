import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@airport-mesh/local-stack';
import { declarationLines, FEATURES, offloadMarkdown, offloadTable, yamlKeyLines } from './offload.js';
import { CLUSTER_MODES, type LabResult } from './types.js';

describe('counting the lines of a feature', () => {
  it('counts a mapping key and a JSON-patch operation on it, not the rest', () => {
    const yaml = [
      '# comment',
      'patches:',
      '  - target:',
      '      kind: VirtualService',
      '    patch: |-',
      '      - op: test',
      '        path: /spec/http/0/name',
      '        value: default',
      '      - op: add',
      '        path: /spec/http/0/retries',
      '        value:',
      '          attempts: 3',
      '',
      '          # not counted',
      '          perTryTimeout: 2s',
      '  - patch: |-',
      '      spec:',
      '        trafficPolicy:',
      '          retries:',
      '            attempts: 2',
      '          other: 1',
    ].join('\n');
    // op/path/value/attempts/perTryTimeout = 5, then retries:/attempts = 2
    expect(yamlKeyLines(yaml, 'retries')).toBe(7);
    expect(yamlKeyLines(yaml, 'timeout')).toBe(0);
  });

  it('counts the code lines of named declarations, class members and fields included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'offload-'));
    try {
      const file = join(dir, 'x.ts');
      writeFileSync(
        file,
        [
          'const A = 1;',
          '/** doc */',
          'export function f(x: number) {',
          '  // comment',
          '',
          '  return x;',
          '}',
          'class K {',
          '  @Dec()',
          '  FIELD = 2;',
          '  m() {',
          '    return 1;',
          '  }',
          '}',
        ].join('\n'),
      );
      expect(declarationLines(file, ['A', 'f', 'K.m', 'FIELD'])).toEqual({ A: 1, f: 3, 'K.m': 3, FIELD: 2 });
      expect(() => declarationLines(file, ['missing'])).toThrow('no declaration missing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what the mesh takes off the application, from the real files', () => {
  const committed = JSON.parse(
    readFileSync(join(REPO_ROOT, 'results/2026-11-21-local/result.json'), 'utf8'),
  ) as LabResult;
  const table = offloadTable(committed, REPO_ROOT);

  it('counts every feature on each side from deploy/ and libs/platform', () => {
    expect(table.rows.map((r) => r.feature)).toEqual(FEATURES.map((f) => f.name));
    for (const r of table.rows) {
      expect(r.meshLines).toBeGreaterThan(0);
      expect(r.meshLines!).toBeLessThanOrEqual(r.meshScenarioLines!);
    }
    const byName = (n: string) => table.rows.find((r) => r.feature.startsWith(n))!;
    for (const f of ['timeouts', 'retries', 'circuit breaker']) expect(byName(f).clientLines).toBeGreaterThan(0);
    expect(byName('outlier ejection').clientLines).toBeNull();
    expect(table.shared.clientLines).toBeGreaterThan(0);
    expect(table.shared.meshLines).toBeGreaterThan(0);
  });

  it('shows the measured local outcome, and no number in a mode the result did not measure', () => {
    const retries = table.rows.find((r) => r.feature.startsWith('retries'))!;
    expect(retries.outcome.none).toContain('sick-section: success 71.5%');
    expect(retries.outcome.client).toContain('sick-section: success 100.0%');
    for (const r of table.rows)
      for (const mode of CLUSTER_MODES) {
        expect(r.outcome[mode]).not.toMatch(/\d+(\.\d+)?\s*(%|ms)/);
        expect(r.outcome[mode]).toMatch(/not measured|not measured yet/);
      }
    const md = offloadMarkdown(table).join('\n');
    expect(md).toContain('## What the mesh takes off the application');
    expect(md).toContain('| timeouts |');
  });
});
