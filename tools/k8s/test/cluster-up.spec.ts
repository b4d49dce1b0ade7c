// `make cluster-up` / `cluster-down` offline: the bring-up plan (the commands it runs, in order) is
// checked against the rendered manifests it prepares the cluster for, versions are pinned, preflight
// names what is missing before anything changes, and `make images` fails without a Docker engine.
// The bring-up itself is run by users on their machine, not by this repository's CI.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  APPS,
  clusterDownPlan,
  clusterUpPlan,
  GATEWAY_CLASS,
  gatewayClassManifest,
  image,
  ISTIO_GATEWAY_DEPLOYMENTS,
  preflight,
  TRACING,
  VERSIONS,
  type Step,
} from '../src/cluster-up.js';
import { DEPLOYS, GATEWAY_API, ISTIO_GATEWAY, NAMESPACE } from '../src/demo.js';
import type { K8sObject } from '../src/render.js';
import { renderAll, root } from './renders.js';

let renders: Map<string, K8sObject[]>;
beforeAll(async () => {
  renders = await renderAll([...new Set(Object.values(DEPLOYS).map((d) => d.target))]);
}, 240_000);

const plan = (tool: 'kind' | 'minikube') =>
  clusterUpPlan({ tool, kubectl: 'kubectl', docker: 'docker', deploy: 'deploy-istio-default' });
const line = (s: Step) => `${s.command} ${s.args.join(' ')}`;

describe('cluster-up plan', () => {
  it('creates the cluster first, installs the mesh, its addons, metrics-server, Flagger and Envoy Gateway at pinned versions, waits, then builds and loads the images', () => {
    for (const tool of ['kind', 'minikube'] as const) {
      const lines = plan(tool).map(line);
      expect(lines[0]).toMatch(
        tool === 'kind'
          ? /^kind create cluster --name airport-mesh --image kindest\/node:v1\.34\.0/
          : /^minikube start -p airport-mesh --kubernetes-version=v1\.34\.0/,
      );
      const order = [
        /metrics-server\/releases\/download\/v\d+\.\d+\.\d+\/components\.yaml/,
        /^istioctl install -y/,
        new RegExp(`istio/istio/${VERSIONS.istio.replace(/\./g, '\\.')}/samples/addons/prometheus\\.yaml`),
        new RegExp(`fluxcd/flagger//kustomize/istio\\?ref=${VERSIONS.flagger}`),
        new RegExp(`envoyproxy/gateway/releases/download/${VERSIONS.envoyGateway}/install\\.yaml`),
        /rollout status deployment\/istio-ingressgateway/,
        /^docker build --build-arg APP=camera-agent/,
        tool === 'kind' ? /^kind load docker-image/ : /^minikube -p airport-mesh image load/,
      ];
      let at = 0;
      for (const re of order) {
        const i = lines.findIndex((l, j) => j >= at && re.test(l));
        expect([tool, String(re), i >= at]).toEqual([tool, String(re), true]);
        at = i;
      }
      // pinned: no branch, no "latest", no unversioned release folder
      for (const l of lines) expect(l).not.toMatch(/\/main\/|ref=main|latest|release-\d/);
    }
  });

  it('builds and loads exactly the images the rendered Deployments of the system use', () => {
    const used = new Set<string>();
    for (const objects of renders.values())
      for (const d of objects.filter((o) => o.kind === 'Deployment'))
        for (const c of d.spec?.template?.spec?.containers ?? [])
          if (c.image.startsWith('airport-mesh/')) used.add(c.image);
    expect([...used].sort()).toEqual(APPS.map(image).sort());
    const lines = plan('kind').map(line);
    for (const img of used) {
      expect(lines).toContain(`docker build --build-arg APP=${img.split('/')[1].split(':')[0]} -t ${img} .`);
      expect(lines).toContain(`kind load docker-image ${img} --name airport-mesh`);
    }
  });

  it('installs what the renders need: the tracing provider the Telemetry names, the collector the apps export to, the GatewayClass of the plain Gateway, the gateway the CLI asks for, metrics-server for the HPA', () => {
    const lines = plan('kind').map(line);
    const istio = renders.get('deploy/scenarios/default') ?? [];
    const telemetry = istio.find((o) => o.kind === 'Telemetry');
    expect(telemetry?.spec?.tracing?.[0]?.providers?.[0]?.name).toBe(TRACING.provider);
    expect(lines.find((l) => l.startsWith('istioctl install'))).toContain(
      `meshConfig.extensionProviders[0].name=${TRACING.provider}`,
    );
    const otlp = istio
      .filter((o) => o.kind === 'Deployment')
      .map(
        (d) =>
          (d.spec.template.spec.containers[0].env as { name: string; value?: string }[]).find(
            (e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT',
          )?.value,
      )
      .filter(Boolean);
    expect(otlp.length).toBeGreaterThanOrEqual(10);
    for (const u of otlp) expect(TRACING.service.startsWith(new URL(u as string).hostname)).toBe(true);
    expect(lines).toContain(
      `kubectl apply -f https://raw.githubusercontent.com/istio/istio/${VERSIONS.istio}/samples/addons/jaeger.yaml`,
    );
    const gateway = (renders.get('deploy/overlays/plain') ?? []).find((o) => o.kind === 'Gateway');
    expect(gateway?.spec?.gatewayClassName).toBe(GATEWAY_CLASS.name);
    expect(JSON.parse(gatewayClassManifest())).toMatchObject({
      kind: 'GatewayClass',
      metadata: { name: GATEWAY_CLASS.name },
    });
    expect(GATEWAY_API.namespace).toBe('envoy-gateway-system');
    expect(ISTIO_GATEWAY_DEPLOYMENTS).toContain(ISTIO_GATEWAY.service);
    expect(lines).toContain(
      `kubectl -n istio-system rollout status deployment/${ISTIO_GATEWAY.service} --timeout=300s`,
    );
    const hpa = (renders.get('deploy/scenarios/flagger-canary') ?? []).some(
      (o) => o.kind === 'HorizontalPodAutoscaler',
    );
    expect(hpa).toBe(true);
    expect(lines.some((l) => l.includes('metrics-server') && l.includes('components.yaml'))).toBe(true);
    expect(lines).toContain('kubectl -n kube-system rollout status deployment/metrics-server --timeout=300s');
    // Flagger goes where the Canary's provider and Prometheus are
    const canary = (renders.get('deploy/scenarios/flagger-canary') ?? []).find((o) => o.kind === 'Canary');
    expect(canary?.spec?.provider).toBe('istio');
    expect(lines).toContain('kubectl -n istio-system rollout status deployment/flagger --timeout=300s');
    expect(NAMESPACE).toBe('airport-mesh');
  });

  it('cluster-down deletes what cluster-up created', () => {
    expect(clusterDownPlan('kind').map(line)).toEqual(['kind delete cluster --name airport-mesh']);
    expect(clusterDownPlan('minikube').map(line)).toEqual(['minikube delete -p airport-mesh']);
  });
});

describe('preflight and images', () => {
  it('names every missing tool before anything changes (a machine without Docker, kind, minikube or istioctl)', () => {
    const missing = preflight({ PATH: '/nonexistent' }, 'docker');
    expect(missing.join('\n')).toMatch(/Docker engine/);
    expect(missing.join('\n')).toMatch(/kind .* or minikube/);
    expect(missing.join('\n')).toContain(`istioctl ${VERSIONS.istio}`);
  });

  it('`images` fails (exit 1) when no Docker engine is reachable', () => {
    const r = spawnSync(process.execPath, [join(root, 'tools/k8s/dist/cli.js'), 'images'], {
      env: { ...process.env, DOCKER: '/nonexistent/docker' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no Docker engine reachable/);
  });
});

describe('Makefile and docs', () => {
  const makefile = readFileSync(join(root, 'Makefile'), 'utf8');
  it('has cluster-up, cluster-down, validate-cluster and gateway-forward', () => {
    for (const t of ['cluster-up', 'cluster-down', 'validate-cluster', 'gateway-forward'])
      expect(makefile).toMatch(new RegExp(`(^|\\s)${t}(\\s|:)`, 'm'));
  });
  it('docs/kubernetes.md starts with cluster-up and cluster-down, run by users and not by CI', () => {
    const doc = readFileSync(join(root, 'docs/kubernetes.md'), 'utf8');
    const first = doc.split('\n## ')[0] + doc.split('\n## ')[1];
    expect(first).toContain('make cluster-up');
    expect(first).toContain('make cluster-down');
    expect(first).toMatch(/run by users.*not by this repository's CI/s);
  });
});
