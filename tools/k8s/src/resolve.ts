// Resolves what the demo CLI and the lab name in the cluster against a render: label selectors to
// pod templates, Services to the pods behind them (and their target ports), Secrets referenced by the
// pods, and the ingress paths through the Istio gateway's VirtualServices or the plain overlay's
// Gateway API HTTPRoutes, down to the Service, port, pods and path that answer. Offline, from the
// manifests that `kubectl apply` would send.
import { selects, workloads, type Workload } from './policy.js';
import type { K8sObject } from './render.js';

/** `a=b,c=d` (the equality form the CLI and the lab use with `kubectl get pods -l`) → matchLabels. */
export function parseSelector(selector: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of selector.split(',')) {
    const m = /^([\w./-]+)=([\w.-]+)$/.exec(part.trim());
    if (!m) throw new Error(`selector ${selector}: only key=value terms are supported`);
    out[m[1]] = m[2];
  }
  return out;
}

/** The workloads (Deployments' pod templates) in `namespace` whose pods a `kubectl get pods -l` selector finds. */
export function podsFor(objects: K8sObject[], selector: string, namespace: string): Workload[] {
  const want = parseSelector(selector);
  return workloads(objects).filter((w) => w.namespace === namespace && selects({ matchLabels: want }, w.labels));
}

export function find(objects: K8sObject[], kind: string, name: string, namespace?: string): K8sObject | undefined {
  return objects.find(
    (o) =>
      o.kind === kind && o.metadata?.name === name && (namespace === undefined || o.metadata?.namespace === namespace),
  );
}

export interface Backend {
  service: string;
  port: number;
  /** the pod templates behind the Service (and, for an Istio subset, the subset's labels) */
  pods: Workload[];
  /** the container port the Service port's targetPort resolves to on every pod, or the reason it does not */
  targetPort: number | string;
}

/** A Service by name and port, resolved to its pods and to the container port on them. */
export function backend(
  objects: K8sObject[],
  namespace: string,
  service: string,
  port: number,
  subsetLabels = {},
): Backend {
  const svc = find(objects, 'Service', service, namespace);
  if (!svc) throw new Error(`no Service ${namespace}/${service}`);
  const p = (svc.spec?.ports ?? []).find((x: { port: number }) => x.port === port);
  if (!p) throw new Error(`Service ${service} has no port ${port}`);
  const pods = workloads(objects).filter(
    (w) =>
      w.namespace === namespace &&
      selects({ matchLabels: svc.spec?.selector ?? {} }, w.labels) &&
      selects({ matchLabels: subsetLabels }, w.labels),
  );
  if (pods.length === 0)
    throw new Error(`Service ${service} selects no pod${Object.keys(subsetLabels).length ? ' of the subset' : ''}`);
  const target = p.targetPort ?? p.port;
  const numbers = new Set(pods.map((w) => (typeof target === 'number' ? target : w.ports[target])));
  if (numbers.has(undefined as unknown as number) || numbers.size !== 1)
    throw new Error(`Service ${service} port ${port}: targetPort ${target} is not a container port of every pod`);
  return { service, port, pods, targetPort: [...numbers][0] };
}

export interface Resolved {
  /** the path the backend receives (after rewrites) */
  path: string;
  backends: (Backend & { weight: number })[];
  via: string;
}

interface HttpMatch {
  uri?: { exact?: string; prefix?: string; regex?: string };
  headers?: Record<string, { exact?: string; prefix?: string; regex?: string }>;
  method?: { exact?: string };
}

function istioUriMatches(m: HttpMatch, path: string, method: string, headers: Record<string, string>): boolean {
  if (m.uri?.exact !== undefined && m.uri.exact !== path) return false;
  if (m.uri?.prefix !== undefined && !path.startsWith(m.uri.prefix)) return false;
  if (m.uri?.regex !== undefined && !new RegExp(`^${m.uri.regex}$`).test(path)) return false;
  if (m.method?.exact !== undefined && m.method.exact !== method) return false;
  for (const [h, v] of Object.entries(m.headers ?? {})) {
    const got = headers[h.toLowerCase()];
    if (got === undefined) return false;
    if (v.exact !== undefined && got !== v.exact) return false;
    if (v.prefix !== undefined && !got.startsWith(v.prefix)) return false;
  }
  return true;
}

/**
 * A request through the Istio ingress gateway: the first matching route of the VirtualServices bound
 * to `gateway` (in the order Istio merges them: one VirtualService here), delegates followed, prefix
 * rewrites applied, destinations resolved with their DestinationRule subsets.
 */
export function resolveIstioIngress(
  objects: K8sObject[],
  namespace: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; gateway?: string } = {},
): Resolved {
  const method = opts.method ?? 'GET';
  const gateway = opts.gateway ?? 'airport-gateway';
  const bound = objects.filter(
    (o) =>
      o.kind === 'VirtualService' && o.metadata?.namespace === namespace && (o.spec?.gateways ?? []).includes(gateway),
  );
  if (bound.length === 0) throw new Error(`no VirtualService bound to Gateway ${gateway}`);
  const walk = (vs: K8sObject, reqPath: string, depth: number): Resolved => {
    for (const route of vs.spec?.http ?? []) {
      const matches: HttpMatch[] = route.match ?? [{}];
      const m = matches.find((x) => istioUriMatches(x, reqPath, method, opts.headers ?? {}));
      if (!m) continue;
      let next = reqPath;
      if (route.rewrite?.uri !== undefined) {
        next = m.uri?.prefix !== undefined ? route.rewrite.uri + reqPath.slice(m.uri.prefix.length) : route.rewrite.uri;
        next = next.replace(/^\/\//, '/');
      }
      if (route.delegate) {
        if (depth > 0) throw new Error('nested delegation');
        const d = find(objects, 'VirtualService', route.delegate.name, route.delegate.namespace ?? namespace);
        if (d) return walk(d, next, depth + 1);
        // Flagger makes the delegate of a Canary with `service.delegation: true`: all traffic to the
        // primary (a copy of the target Deployment's pods) until an analysis shifts weight
        const canary = objects.find(
          (o) => o.kind === 'Canary' && o.spec?.service?.name === route.delegate.name && o.spec?.service?.delegation,
        );
        if (!canary)
          throw new Error(`route ${route.name}: delegate VirtualService ${route.delegate.name} is not in the render`);
        const target = workloads(objects).find(
          (w) => w.name === canary.spec.targetRef.name && w.namespace === namespace,
        );
        if (!target)
          throw new Error(`Canary ${canary.metadata?.name}: target ${canary.spec.targetRef.name} is not in the render`);
        const tp = canary.spec.service.targetPort ?? canary.spec.service.port;
        return {
          path: next,
          backends: [
            {
              service: `${canary.spec.service.name}-primary`,
              port: canary.spec.service.port,
              pods: [target],
              targetPort: typeof tp === 'number' ? tp : (target.ports[tp] ?? `no container port ${tp}`),
              weight: 100,
            },
          ],
          via: `Flagger's VirtualService ${route.delegate.name} (Canary ${canary.metadata?.name})`,
        };
      }
      const backends = (route.route ?? []).map(
        (r: { destination: { host: string; port?: { number: number }; subset?: string }; weight?: number }) => {
          const host = r.destination.host.split('.')[0];
          let subsetLabels = {};
          if (r.destination.subset) {
            const dr = objects.find((o) => o.kind === 'DestinationRule' && o.spec?.host?.split('.')[0] === host);
            const s = (dr?.spec?.subsets ?? []).find((x: { name: string }) => x.name === r.destination.subset);
            if (!s) throw new Error(`route ${route.name}: subset ${r.destination.subset} of ${host} is not defined`);
            subsetLabels = s.labels ?? {};
          }
          return {
            ...backend(objects, namespace, host, r.destination.port?.number ?? 8080, subsetLabels),
            weight: r.weight ?? (route.route.length === 1 ? 100 : 0),
          };
        },
      );
      return { path: next, backends, via: `VirtualService ${vs.metadata?.name} route ${route.name ?? '?'}` };
    }
    throw new Error(`no route of VirtualService ${vs.metadata?.name} matches ${method} ${reqPath}`);
  };
  const hits = bound.map((vs) => {
    try {
      return walk(vs, path, 0);
    } catch (e) {
      return e as Error;
    }
  });
  const ok = hits.find((h): h is Resolved => !(h instanceof Error));
  if (ok) return ok;
  throw hits[0] as Error;
}

interface GwMatch {
  path?: { type?: string; value?: string };
  method?: string;
  headers?: { name: string; value: string; type?: string }[];
}

/**
 * A request through a Gateway API Gateway: among the HTTPRoutes attached to it, the match with the
 * highest precedence wins (Exact over PathPrefix, then the longest prefix, then method, then header
 * matches), as the Gateway API specification orders them; URLRewrite filters applied.
 */
export function resolveGatewayApi(
  objects: K8sObject[],
  namespace: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; gateway?: string } = {},
): Resolved {
  const method = opts.method ?? 'GET';
  const gateway = opts.gateway ?? 'airport';
  if (!find(objects, 'Gateway', gateway, namespace)) throw new Error(`no Gateway ${namespace}/${gateway}`);
  const routes = objects.filter(
    (o) =>
      o.kind === 'HTTPRoute' &&
      o.metadata?.namespace === namespace &&
      (o.spec?.parentRefs ?? []).some(
        (p: { name: string; kind?: string }) => p.name === gateway && (p.kind ?? 'Gateway') === 'Gateway',
      ),
  );
  type Cand = { route: K8sObject; rule: { filters?: unknown[]; backendRefs?: unknown[] }; m: GwMatch; score: number[] };
  const cands: Cand[] = [];
  for (const route of routes)
    for (const rule of route.spec?.rules ?? [])
      for (const m of (rule.matches ?? [{ path: { type: 'PathPrefix', value: '/' } }]) as GwMatch[]) {
        const type = m.path?.type ?? 'PathPrefix';
        const value = m.path?.value ?? '/';
        const pathOk =
          type === 'Exact'
            ? path === value
            : type === 'PathPrefix'
              ? value === '/' || path === value.replace(/\/$/, '') || path.startsWith(value.replace(/\/$/, '') + '/')
              : false;
        if (!pathOk) continue;
        if (m.method && m.method !== method) continue;
        if ((m.headers ?? []).some((h) => opts.headers?.[h.name.toLowerCase()] !== h.value)) continue;
        cands.push({
          route,
          rule,
          m,
          score: [type === 'Exact' ? 1 : 0, value.length, m.method ? 1 : 0, (m.headers ?? []).length],
        });
      }
  if (cands.length === 0) throw new Error(`no HTTPRoute of Gateway ${gateway} matches ${method} ${path}`);
  cands.sort((a, b) => {
    for (let i = 0; i < a.score.length; i++) if (a.score[i] !== b.score[i]) return b.score[i] - a.score[i];
    return 0;
  });
  const { route, rule, m } = cands[0];
  let next = path;
  for (const f of (rule.filters ?? []) as {
    type: string;
    urlRewrite?: { path?: { type: string; replacePrefixMatch?: string; replaceFullPath?: string } };
  }[]) {
    if (f.type !== 'URLRewrite' || !f.urlRewrite?.path) continue;
    const p = f.urlRewrite.path;
    if (p.type === 'ReplaceFullPath') next = p.replaceFullPath ?? '/';
    else if (p.type === 'ReplacePrefixMatch') {
      const prefix = (m.path?.value ?? '/').replace(/\/$/, '');
      const rest = path.slice(prefix.length);
      next = (p.replacePrefixMatch ?? '/').replace(/\/$/, '') + (rest.startsWith('/') ? rest : `/${rest}`) || '/';
    }
  }
  const refs = (rule.backendRefs ?? []) as { name: string; port: number; weight?: number; kind?: string }[];
  const backends = refs.map((r) => ({ ...backend(objects, namespace, r.name, r.port), weight: r.weight ?? 1 }));
  return { path: next, backends, via: `HTTPRoute ${route.metadata?.name}` };
}

/** The entry of a render: Istio's gateway when the render binds VirtualServices to one, else Gateway API. */
export function resolveIngress(
  objects: K8sObject[],
  namespace: string,
  path: string,
  opts: { method?: string; headers?: Record<string, string> } = {},
): Resolved {
  const istio = objects.some((o) => o.kind === 'VirtualService' && (o.spec?.gateways ?? []).length > 0);
  return istio
    ? resolveIstioIngress(objects, namespace, path, opts)
    : resolveGatewayApi(objects, namespace, path, opts);
}

/** Every Secret a pod template reads (env secretKeyRef, envFrom, volumes), with the key and whether it is optional. */
export function secretRefs(w: K8sObject): { name: string; key?: string; optional: boolean }[] {
  const spec = w.spec?.template?.spec ?? {};
  const out: { name: string; key?: string; optional: boolean }[] = [];
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const e of c.env ?? [])
      if (e.valueFrom?.secretKeyRef)
        out.push({
          name: e.valueFrom.secretKeyRef.name,
          key: e.valueFrom.secretKeyRef.key,
          optional: !!e.valueFrom.secretKeyRef.optional,
        });
    for (const e of c.envFrom ?? [])
      if (e.secretRef) out.push({ name: e.secretRef.name, optional: !!e.secretRef.optional });
  }
  for (const v of spec.volumes ?? [])
    if (v.secret) out.push({ name: v.secret.secretName, optional: !!v.secret.optional });
  return out;
}
