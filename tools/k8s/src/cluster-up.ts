// `make cluster-up` / `make cluster-down`: from nothing to a meshed airport on a local kind (or
// minikube) cluster, and back. The bring-up is a plan (a list of commands) built by a pure function,
// so that the tests check it offline against the rendered manifests; `runPlan` executes it. Run by
// users on their machine, not by this repository's CI (it needs Docker, kind or minikube, istioctl and
// the network to fetch the pinned releases).
import { spawnSync } from 'node:child_process';
import { kubectlPath } from './kubectl.js';
import { DemoError, deployTarget, DEPLOYS, ingressAddress, type Io } from './demo.js';

/** Every version the bring-up installs, in one place. */
export const VERSIONS = {
  /** kind node image = the Kubernetes of the pinned kubectl (1.34) */
  kindNodeImage: 'kindest/node:v1.34.0',
  kubernetes: 'v1.34.0',
  /** istioctl on the user's PATH must be this version (it installs itself) */
  istio: '1.30.4',
  metricsServer: 'v0.8.0',
  flagger: 'v1.44.0',
  envoyGateway: 'v1.7.2',
} as const;

export const APPS = ['camera-agent', 'collector', 'image-analysis', 'face-recognition', 'alerts', 'section', 'cpanel'];
export const IMAGE_TAG = '0.1.0'; // as deploy/components/images
export const image = (app: string) => `airport-mesh/${app}:${IMAGE_TAG}`;
export const CLUSTER_NAME = 'airport-mesh';
export const ISTIO_ADDONS = ['prometheus', 'grafana', 'kiali', 'jaeger'];
/** The tracing provider the Istio overlay's Telemetry names, and where the apps export OTLP. */
export const TRACING = { provider: 'jaeger', service: 'jaeger-collector.istio-system.svc.cluster.local', port: 4317 };
export const GATEWAY_CLASS = { name: 'eg', controllerName: 'gateway.envoyproxy.io/gatewayclass-controller' };

/** istio-system Deployments the bring-up waits for: istiod, the gateway the demo sends to, the addons, Flagger. */
export const ISTIO_GATEWAY_DEPLOYMENTS = [
  'istiod',
  'istio-ingressgateway',
  'prometheus',
  'grafana',
  'kiali',
  'jaeger',
  'flagger',
];

export type ClusterTool = 'kind' | 'minikube';

export interface Step {
  /** what the user reads */
  title: string;
  command: string;
  args: string[];
  input?: string;
  /** run only when this probe fails (e.g. create the cluster only when it does not exist) */
  unless?: { command: string; args: string[]; stdoutIncludes?: string };
}

export interface PlanOptions {
  tool: ClusterTool;
  kubectl: string;
  docker: string;
  /** the demo command that deploys at the end (default deploy-istio-default) */
  deploy: string;
}

const kubectlStep = (o: PlanOptions, title: string, args: string[], input?: string): Step => ({
  title,
  command: o.kubectl,
  args,
  input,
});

export function gatewayClassManifest(): string {
  return JSON.stringify({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: GATEWAY_CLASS.name },
    spec: { controllerName: GATEWAY_CLASS.controllerName },
  });
}

/** The commands of `make cluster-up`, in order (preflight is separate: it runs before any of these). */
export function clusterUpPlan(o: PlanOptions): Step[] {
  const steps: Step[] = [];
  if (o.tool === 'kind')
    steps.push({
      title: `kind cluster ${CLUSTER_NAME} (Kubernetes ${VERSIONS.kubernetes})`,
      command: 'kind',
      args: ['create', 'cluster', '--name', CLUSTER_NAME, '--image', VERSIONS.kindNodeImage, '--wait', '180s'],
      unless: { command: 'kind', args: ['get', 'clusters'], stdoutIncludes: CLUSTER_NAME },
    });
  else
    steps.push({
      title: `minikube profile ${CLUSTER_NAME} (Kubernetes ${VERSIONS.kubernetes}, Calico for NetworkPolicies)`,
      command: 'minikube',
      args: [
        'start',
        '-p',
        CLUSTER_NAME,
        `--kubernetes-version=${VERSIONS.kubernetes}`,
        '--cpus=4',
        '--memory=8192',
        '--cni=calico',
      ],
    });
  const raw = (path: string) => `https://raw.githubusercontent.com/istio/istio/${VERSIONS.istio}/${path}`;
  steps.push(
    kubectlStep(o, `metrics-server ${VERSIONS.metricsServer} (the flagger-canary HPA needs it)`, [
      'apply',
      '-f',
      `https://github.com/kubernetes-sigs/metrics-server/releases/download/${VERSIONS.metricsServer}/components.yaml`,
    ]),
    // kind's kubelets serve self-signed certificates
    kubectlStep(o, 'metrics-server: accept the kubelets’ self-signed certificates', [
      '-n',
      'kube-system',
      'patch',
      'deployment',
      'metrics-server',
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '--kubelet-insecure-tls' }]),
    ]),
    {
      title: `Istio ${VERSIONS.istio} (istioctl install, profile demo: istiod and the ingress gateway; tracing provider ${TRACING.provider})`,
      command: 'istioctl',
      args: [
        'install',
        '-y',
        '--set',
        'profile=demo',
        '--set',
        'meshConfig.enableTracing=true',
        '--set',
        `meshConfig.extensionProviders[0].name=${TRACING.provider}`,
        '--set',
        `meshConfig.extensionProviders[0].opentelemetry.service=${TRACING.service}`,
        '--set',
        `meshConfig.extensionProviders[0].opentelemetry.port=${TRACING.port}`,
      ],
    },
    ...ISTIO_ADDONS.map((a) =>
      kubectlStep(o, `Istio addon ${a} (samples/addons of Istio ${VERSIONS.istio})`, [
        'apply',
        '-f',
        raw(`samples/addons/${a}.yaml`),
      ]),
    ),
    kubectlStep(o, `Flagger ${VERSIONS.flagger} for Istio`, [
      'apply',
      '-k',
      `https://github.com/fluxcd/flagger//kustomize/istio?ref=${VERSIONS.flagger}`,
    ]),
    kubectlStep(o, `Envoy Gateway ${VERSIONS.envoyGateway} (Gateway API CRDs and controller, for the plain overlay)`, [
      'apply',
      '--server-side',
      '-f',
      `https://github.com/envoyproxy/gateway/releases/download/${VERSIONS.envoyGateway}/install.yaml`,
    ]),
    kubectlStep(o, 'Envoy Gateway controller available', [
      '-n',
      'envoy-gateway-system',
      'wait',
      'deployment/envoy-gateway',
      '--for=condition=Available',
      '--timeout=300s',
    ]),
    kubectlStep(o, `GatewayClass ${GATEWAY_CLASS.name} (Envoy Gateway)`, ['apply', '-f', '-'], gatewayClassManifest()),
  );
  for (const [ns, deployments] of [
    ['kube-system', ['metrics-server']],
    ['istio-system', ISTIO_GATEWAY_DEPLOYMENTS],
  ] as const)
    for (const d of deployments)
      steps.push(
        kubectlStep(o, `rollout of ${ns}/${d}`, ['-n', ns, 'rollout', 'status', `deployment/${d}`, '--timeout=300s']),
      );
  for (const app of APPS)
    steps.push({
      title: `image ${image(app)}`,
      command: o.docker,
      args: ['build', '--build-arg', `APP=${app}`, '-t', image(app), '.'],
    });
  for (const app of APPS)
    steps.push(
      o.tool === 'kind'
        ? {
            title: `load ${image(app)} into the nodes`,
            command: 'kind',
            args: ['load', 'docker-image', image(app), '--name', CLUSTER_NAME],
          }
        : {
            title: `load ${image(app)} into the node`,
            command: 'minikube',
            args: ['-p', CLUSTER_NAME, 'image', 'load', image(app)],
          },
    );
  return steps;
}

export function clusterDownPlan(tool: ClusterTool): Step[] {
  return tool === 'kind'
    ? [
        {
          title: `delete kind cluster ${CLUSTER_NAME}`,
          command: 'kind',
          args: ['delete', 'cluster', '--name', CLUSTER_NAME],
        },
      ]
    : [{ title: `delete minikube profile ${CLUSTER_NAME}`, command: 'minikube', args: ['delete', '-p', CLUSTER_NAME] }];
}

const probe = (command: string, args: string[]) => {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return { ok: !r.error && r.status === 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

/** kind when it is on PATH (or CLUSTER_TOOL=kind), else minikube. */
export function chooseTool(env: NodeJS.ProcessEnv): ClusterTool | undefined {
  if (env.CLUSTER_TOOL === 'kind' || env.CLUSTER_TOOL === 'minikube') return env.CLUSTER_TOOL;
  if (probe('kind', ['version']).ok) return 'kind';
  if (probe('minikube', ['version']).ok) return 'minikube';
  return undefined;
}

/** What cluster-up needs on this machine, each missing piece named, before anything is changed. */
export function preflight(env: NodeJS.ProcessEnv, docker = env.DOCKER ?? 'docker'): string[] {
  const missing: string[] = [];
  if (!probe(docker, ['info']).ok) missing.push(`a running Docker engine (\`${docker} info\` failed)`);
  if (!chooseTool(env)) missing.push('kind (https://kind.sigs.k8s.io) or minikube on PATH');
  const istioctl = probe('istioctl', ['version', '--remote=false', '--short']);
  if (!istioctl.ok)
    missing.push(
      `istioctl ${VERSIONS.istio} on PATH (curl -L https://istio.io/downloadIstio | ISTIO_VERSION=${VERSIONS.istio} sh -)`,
    );
  else if (!istioctl.stdout.includes(VERSIONS.istio))
    missing.push(
      `istioctl ${VERSIONS.istio} (found ${istioctl.stdout.trim().split('\n')[0]}): istioctl installs its own version`,
    );
  return missing;
}

function run(io: Io, step: Step): void {
  if (step.unless) {
    const p = probe(step.unless.command, step.unless.args);
    if (p.ok && (!step.unless.stdoutIncludes || p.stdout.split(/\s+/).includes(step.unless.stdoutIncludes))) {
      io.out(`== ${step.title}: already there`);
      return;
    }
  }
  io.out(`== ${step.title}\n   ${step.command} ${step.args.join(' ')}`);
  const r = spawnSync(step.command, step.args, {
    cwd: io.root,
    env: io.env,
    input: step.input,
    stdio: [step.input === undefined ? 'inherit' : 'pipe', 'inherit', 'inherit'],
  });
  if (r.error || r.status !== 0)
    throw new DemoError(`${step.title} failed: ${step.command} exited with ${r.status ?? r.error?.message}`);
}

export async function clusterUp(io: Io): Promise<number> {
  const missing = preflight(io.env);
  if (missing.length) {
    io.err(`cluster-up: missing ${missing.join('; ')}. Nothing was changed.`);
    return 1;
  }
  const tool = chooseTool(io.env) as ClusterTool;
  const deploy = io.env.DEPLOY ?? 'deploy-istio-default';
  if (!DEPLOYS[deploy])
    throw new DemoError(`DEPLOY=${deploy} is not a deploy command (${Object.keys(DEPLOYS).join(', ')})`);
  for (const step of clusterUpPlan({ tool, kubectl: kubectlPath(io.env), docker: io.env.DOCKER ?? 'docker', deploy }))
    run(io, step);
  io.out(`== deploy: make ${deploy}`);
  await deployTarget(io, DEPLOYS[deploy].target);
  try {
    io.out(`gateway: INGRESS=${await ingressAddress(io)}`);
  } catch {
    io.out('gateway: no LoadBalancer address here; run `make gateway-forward` and export INGRESS=127.0.0.1:8080');
  }
  io.out(
    'then: make health, make start-cameras, the walkthrough in docs/kubernetes.md; make cluster-down removes it all',
  );
  return 0;
}

export function clusterDown(io: Io): number {
  const tool = chooseTool(io.env);
  if (!tool) {
    io.err('cluster-down: neither kind nor minikube on PATH');
    return 1;
  }
  for (const step of clusterDownPlan(tool)) run(io, step);
  return 0;
}

/** `make images`: docker build per app; exit 1 when no Docker engine is reachable. */
export function buildImages(io: Io, apps = APPS): number {
  const docker = io.env.DOCKER ?? 'docker';
  if (!probe(docker, ['info']).ok) {
    io.err(`images: no Docker engine reachable (\`${docker} info\` failed); nothing built`);
    return 1;
  }
  for (const app of apps)
    run(io, {
      title: `image ${image(app)}`,
      command: docker,
      args: ['build', '--build-arg', `APP=${app}`, '-t', image(app), '.'],
    });
  return 0;
}
