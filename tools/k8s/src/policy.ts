// Evaluates rendered policies the way the cluster does, offline: Istio AuthorizationPolicies (as a
// sidecar enforces them for an mTLS request: principal, method, path) and Kubernetes NetworkPolicies
// (ingress of the callee and egress of the caller, by pod and namespace labels and port). Used by the
// authz cross-check (test/authz.spec.ts) with the calls recorded in calls/pipeline-calls.json.
import type { K8sObject } from './render.js';

export const MESH_NAMESPACE = 'airport-mesh';
export const INGRESS_GATEWAY_PRINCIPAL = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

export interface Workload {
  /** Deployment name */
  name: string;
  namespace: string;
  labels: Record<string, string>;
  serviceAccount: string;
  /** container port name → number */
  ports: Record<string, number>;
}

export interface Request {
  /** the caller's SPIFFE principal without `spiffe://` */
  principal: string;
  method: string;
  path: string;
}

export interface Verdict {
  allowed: boolean;
  /** which policy decided (or why nothing did) */
  reason: string;
}

export function matchLabels(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A Kubernetes LabelSelector (matchLabels and matchExpressions); an empty selector selects everything. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!matchLabels(selector?.matchLabels, labels)) return false;
  for (const e of selector?.matchExpressions ?? []) {
    const has = e.key in labels;
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    const ok =
      e.operator === 'In'
        ? inValues
        : e.operator === 'NotIn'
          ? !inValues
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

/** The workloads (pod templates) of a render: Deployments, with their labels, ServiceAccount and ports. */
export function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => o.kind === 'Deployment')
    .map((d) => ({
      name: d.metadata?.name ?? '',
      namespace: d.metadata?.namespace ?? 'default',
      labels: (d.spec?.template?.metadata?.labels ?? {}) as Record<string, string>,
      serviceAccount: (d.spec?.template?.spec?.serviceAccountName as string | undefined) ?? 'default',
      ports: Object.fromEntries(
        (d.spec?.template?.spec?.containers ?? []).flatMap(
          (c: { ports?: { name?: string; containerPort: number }[] }) =>
            (c.ports ?? []).map((p) => [p.name ?? String(p.containerPort), p.containerPort]),
        ),
      ),
    }));
}

export const principalOf = (w: Workload) => `cluster.local/ns/${w.namespace}/sa/${w.serviceAccount}`;

/**
 * Istio's string match for AuthorizationPolicy fields: exact, prefix (`abc*`), suffix (`*abc`), or `*`
 * (any non-empty value). Paths also take the templates `{*}` (one segment) and `{**}` (any, at the end).
 */
export function istioMatch(pattern: string, value: string, isPath = false): boolean {
  if (pattern === '*') return value.length > 0;
  if (isPath && pattern.includes('{')) {
    const re = pattern
      .split('/')
      .map((seg) => (seg === '{*}' ? '[^/]+' : seg === '{**}' ? '.+' : seg.replace(/[.+?^${}()|[\]\\*]/g, '\\$&')))
      .join('/');
    return new RegExp(`^${re}$`).test(value);
  }
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

const anyMatch = (patterns: string[] | undefined, value: string, isPath = false) =>
  patterns === undefined || patterns.some((p) => istioMatch(p, value, isPath));
const noneMatch = (patterns: string[] | undefined, value: string, isPath = false) =>
  patterns === undefined || !patterns.some((p) => istioMatch(p, value, isPath));

interface Source {
  principals?: string[];
  notPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  [k: string]: unknown;
}
interface Operation {
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
  [k: string]: unknown;
}
interface Rule {
  from?: { source: Source }[];
  to?: { operation: Operation }[];
  when?: unknown[];
}

const SOURCE_FIELDS = new Set(['principals', 'notPrincipals', 'namespaces', 'notNamespaces']);
const OPERATION_FIELDS = new Set(['methods', 'notMethods', 'paths', 'notPaths']);

function ruleMatches(rule: Rule, req: Request, where: string): boolean {
  if (rule.when?.length) throw new Error(`${where}: 'when' conditions are not evaluated by this check`);
  const ns = /^cluster\.local\/ns\/([^/]+)\//.exec(req.principal)?.[1] ?? '';
  const fromOk =
    rule.from === undefined ||
    rule.from.some(({ source }) => {
      for (const k of Object.keys(source))
        if (!SOURCE_FIELDS.has(k)) throw new Error(`${where}: source field ${k} is not evaluated by this check`);
      return (
        anyMatch(source.principals, req.principal) &&
        noneMatch(source.notPrincipals, req.principal) &&
        anyMatch(source.namespaces, ns) &&
        noneMatch(source.notNamespaces, ns)
      );
    });
  const toOk =
    rule.to === undefined ||
    rule.to.some(({ operation }) => {
      for (const k of Object.keys(operation))
        if (!OPERATION_FIELDS.has(k)) throw new Error(`${where}: operation field ${k} is not evaluated by this check`);
      return (
        anyMatch(operation.methods, req.method) &&
        noneMatch(operation.notMethods, req.method) &&
        anyMatch(operation.paths, req.path, true) &&
        noneMatch(operation.notPaths, req.path, true)
      );
    });
  return fromOk && toOk;
}

/**
 * Istio's decision for one request to one workload: a matching DENY policy denies; then, if any ALLOW
 * policy applies to the workload, one of its rules must match; with no ALLOW policy the request passes.
 * A policy without rules (`allow-nothing`) applies and matches nothing.
 */
export function istioAllows(objects: K8sObject[], target: Workload, req: Request): Verdict {
  const policies = objects.filter(
    (o) =>
      o.kind === 'AuthorizationPolicy' &&
      (o.metadata?.namespace ?? MESH_NAMESPACE) === target.namespace &&
      matchLabels(o.spec?.selector?.matchLabels, target.labels),
  );
  const name = (p: K8sObject) => `AuthorizationPolicy/${p.metadata?.name}`;
  const matching = (p: K8sObject) => ((p.spec?.rules ?? []) as Rule[]).some((r) => ruleMatches(r, req, name(p)));
  for (const p of policies.filter((p) => p.spec?.action === 'DENY'))
    if (matching(p)) return { allowed: false, reason: `denied by ${name(p)}` };
  for (const p of policies) {
    const action = p.spec?.action ?? 'ALLOW';
    if (action !== 'ALLOW' && action !== 'DENY')
      throw new Error(`${name(p)}: action ${action} is not evaluated by this check`);
  }
  const allows = policies.filter((p) => (p.spec?.action ?? 'ALLOW') === 'ALLOW');
  if (allows.length === 0) return { allowed: true, reason: 'no ALLOW policy applies' };
  const hit = allows.find(matching);
  return hit
    ? { allowed: true, reason: `allowed by ${name(hit)}` }
    : { allowed: false, reason: `no rule of ${allows.map(name).join(', ')} matches` };
}

// ------------------------------------------------------------------------------------------ NetworkPolicy

export interface Peer {
  /** pod labels of the peer */
  labels: Record<string, string>;
  namespace: string;
  /** labels of the peer's namespace (kubernetes.io/metadata.name is added) */
  namespaceLabels: Record<string, string>;
}

export function namespaceLabels(objects: K8sObject[], namespace: string): Record<string, string> {
  const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === namespace);
  return { ...(ns?.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
}

export const peerOf = (objects: K8sObject[], w: Workload): Peer => ({
  labels: w.labels,
  namespace: w.namespace,
  namespaceLabels: namespaceLabels(objects, w.namespace),
});

interface NpPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: unknown;
}
interface NpPort {
  port?: number | string;
  protocol?: string;
}

function peerMatches(p: NpPeer, policyNamespace: string, peer: Peer): boolean {
  if (p.ipBlock) return false; // pods are never addressed by IP block in these manifests
  if (p.namespaceSelector) {
    if (!selects(p.namespaceSelector, peer.namespaceLabels)) return false;
  } else if (peer.namespace !== policyNamespace) return false;
  return p.podSelector ? selects(p.podSelector, peer.labels) : true;
}

function portMatches(ports: NpPort[] | undefined, port: number, named: Record<string, number>): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some(
    (p) =>
      (p.protocol ?? 'TCP') === 'TCP' &&
      (p.port === undefined || p.port === port || (typeof p.port === 'string' && named[p.port] === port)),
  );
}

/**
 * Kubernetes' decision for a TCP connection from `from` to `to` on `port`: allowed when the callee's
 * ingress and the caller's egress both allow it (a side that no policy of that type selects is open).
 * `fromPorts` are the caller's named ports (unused for ingress), `to.ports` the callee's.
 */
export function networkAllows(
  objects: K8sObject[],
  from: Peer,
  to: Peer & { ports: Record<string, number> },
  port: number,
): Verdict {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const types = (p: K8sObject): string[] =>
    p.spec?.policyTypes ?? (p.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
  const applies = (p: K8sObject, peer: Peer) =>
    (p.metadata?.namespace ?? MESH_NAMESPACE) === peer.namespace && selects(p.spec?.podSelector, peer.labels);
  const ingress = policies.filter((p) => types(p).includes('Ingress') && applies(p, to));
  if (ingress.length) {
    const ok = ingress.some((p) =>
      ((p.spec?.ingress ?? []) as { from?: NpPeer[]; ports?: NpPort[] }[]).some(
        (r) =>
          (r.from === undefined ||
            r.from.length === 0 ||
            r.from.some((x) => peerMatches(x, p.metadata?.namespace ?? MESH_NAMESPACE, from))) &&
          portMatches(r.ports, port, to.ports),
      ),
    );
    if (!ok)
      return { allowed: false, reason: `ingress of the callee: no rule of ${ingress.length} policies allows it` };
  }
  const egress = policies.filter((p) => types(p).includes('Egress') && applies(p, from));
  if (egress.length) {
    const ok = egress.some((p) =>
      ((p.spec?.egress ?? []) as { to?: NpPeer[]; ports?: NpPort[] }[]).some(
        (r) =>
          (r.to === undefined ||
            r.to.length === 0 ||
            r.to.some((x) => peerMatches(x, p.metadata?.namespace ?? MESH_NAMESPACE, to))) &&
          portMatches(r.ports, port, to.ports),
      ),
    );
    if (!ok) return { allowed: false, reason: `egress of the caller: no rule of ${egress.length} policies allows it` };
  }
  return { allowed: true, reason: 'allowed by the NetworkPolicies' };
}
