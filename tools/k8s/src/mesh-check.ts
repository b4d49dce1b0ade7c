// A mesh check in the spirit of `istioctl analyze`, run offline on one rendered set of objects.
// Each check names what a user would otherwise find out on the cluster, one broken route at a time.
import type { K8sObject } from './render.js';

export type MeshCheck =
  | 'destination-host'
  | 'subset'
  | 'route-weights'
  | 'port-protocol'
  | 'proxy-uid'
  | 'gateway-hosts'
  | 'authz-principal'
  | 'deprecated'
  | 'namespace';

export interface MeshIssue {
  check: MeshCheck;
  object: string;
  message: string;
}

/** Identities outside any render of this project that policies may name. */
export const EXTERNAL_PRINCIPALS = new Set(['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account']);

/** Kinds that have a `v1` in their Istio API group: older versions of them are deprecated. */
const ISTIO_V1_KINDS: Record<string, string[]> = {
  'networking.istio.io': [
    'VirtualService',
    'DestinationRule',
    'Gateway',
    'ServiceEntry',
    'Sidecar',
    'WorkloadEntry',
    'WorkloadGroup',
  ],
  'security.istio.io': ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'],
  'telemetry.istio.io': ['Telemetry'],
};

/** Deprecated fields, by the object path they appear under (last segments), with their replacement. */
const DEPRECATED_FIELDS: { parent: RegExp; field: string; use: string }[] = [
  { parent: /\/fault\/(abort|delay)$/, field: 'percent', use: 'percentage.value' },
  { parent: /\/outlierDetection$/, field: 'consecutiveErrors', use: 'consecutive5xxErrors' },
  { parent: /\/http\/\d+$/, field: 'mirrorPercent', use: 'mirrorPercentage.value' },
  { parent: /\/http\/\d+$/, field: 'mirror_percent', use: 'mirrorPercentage.value' },
];

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'IngressClass',
]);

const PROTOCOL_PORT_NAME = /^(http|http2|https|grpc|grpc-web|tcp|tls|mongo|mysql|redis|udp)(-.*)?$/;
const ISTIO_PROXY_UID = 1337;

function label(o: K8sObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind} ${ns}${o.metadata?.name}`;
}

function nsOf(o: K8sObject): string {
  return o.metadata?.namespace ?? 'default';
}

/** `cpanel`, `cpanel.ns`, `cpanel.ns.svc`, `cpanel.ns.svc.cluster.local` relative to `ns` → `cpanel.ns`. */
export function qualify(host: string, ns: string): string {
  const parts = host.replace(/\.svc(\.cluster\.local)?$/, '').split('.');
  if (parts.length === 1) return `${parts[0]}.${ns}`;
  if (parts.length === 2) return `${parts[0]}.${parts[1]}`;
  return host; // an external name
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) || host === pattern;
  return pattern === host;
}

interface Destination {
  host: string;
  subset?: string;
  weight?: number;
}

function walk(value: unknown, path: string, visit: (obj: Record<string, unknown>, path: string) => void): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}/${i}`, visit));
  else if (value && typeof value === 'object') {
    visit(value as Record<string, unknown>, path);
    for (const [k, v] of Object.entries(value)) walk(v, `${path}/${k}`, visit);
  }
}

export function checkMesh(objects: K8sObject[]): MeshIssue[] {
  const issues: MeshIssue[] = [];
  const add = (check: MeshCheck, o: K8sObject, message: string) => issues.push({ check, object: label(o), message });
  const of = (kind: string) => objects.filter((o) => o.kind === kind);

  const services = new Map<string, K8sObject>();
  for (const s of of('Service')) services.set(`${s.metadata?.name}.${nsOf(s)}`, s);
  // Flagger creates <name>, <name>-primary and <name>-canary Services (and a delegate VirtualService) for a Canary.
  const flaggerServices = new Set<string>();
  const flaggerDelegates = new Set<string>();
  for (const c of of('Canary')) {
    const name = c.spec?.service?.name ?? c.spec?.targetRef?.name;
    for (const suffix of ['', '-primary', '-canary']) flaggerServices.add(`${name}${suffix}.${nsOf(c)}`);
    if (c.spec?.service?.delegation) flaggerDelegates.add(`${name}.${nsOf(c)}`);
  }
  const externalHosts = new Set<string>(of('ServiceEntry').flatMap((se) => (se.spec?.hosts ?? []) as string[]));
  const workloads = [...of('Deployment'), ...of('StatefulSet'), ...of('DaemonSet')];
  const podLabels = (ns: string) =>
    workloads.filter((w) => nsOf(w) === ns).map((w) => w.spec?.template?.metadata?.labels ?? {});

  const destinationRules = new Map<string, K8sObject>();
  for (const dr of of('DestinationRule')) destinationRules.set(qualify(dr.spec?.host ?? '', nsOf(dr)), dr);
  const gateways = new Map<string, K8sObject>();
  for (const g of of('Gateway')) gateways.set(`${nsOf(g)}/${g.metadata?.name}`, g);
  const virtualServices = new Set(of('VirtualService').map((v) => `${v.metadata?.name}.${nsOf(v)}`));

  // ---- VirtualServices: destinations, subsets, weights, gateway hosts
  for (const vs of of('VirtualService')) {
    const ns = nsOf(vs);
    for (const [protocol, routes] of Object.entries({ http: vs.spec?.http, tcp: vs.spec?.tcp, tls: vs.spec?.tls })) {
      ((routes ?? []) as Record<string, unknown>[]).forEach((route, i) => {
        const where = `${protocol}[${i}]${route.name ? ` (${route.name})` : ''}`;
        if (route.delegate) {
          const d = route.delegate as { name: string; namespace?: string };
          const key = `${d.name}.${d.namespace ?? ns}`;
          if (!virtualServices.has(key) && !flaggerDelegates.has(key)) {
            add('destination-host', vs, `${where}: delegate VirtualService ${key} is not in the render`);
          }
          return;
        }
        const dests = ((route.route ?? []) as { destination: Destination; weight?: number }[]).map((r) => ({
          ...r.destination,
          weight: r.weight,
        }));
        const mirrors = [
          route.mirror,
          ...((route.mirrors as { destination: Destination }[] | undefined) ?? []).map((m) => m.destination),
        ].filter(Boolean) as Destination[];
        for (const d of [...dests, ...mirrors]) {
          const host = qualify(d.host, ns);
          const isService = services.has(host) || flaggerServices.has(host);
          if (!isService && !externalHosts.has(d.host)) {
            add(
              'destination-host',
              vs,
              `${where}: destination host "${d.host}" is neither a Service nor a ServiceEntry host in the render`,
            );
            continue;
          }
          if (d.subset) {
            const dr = destinationRules.get(host);
            const subset = (dr?.spec?.subsets as { name: string; labels?: Record<string, string> }[] | undefined)?.find(
              (s) => s.name === d.subset,
            );
            if (!subset) {
              add('subset', vs, `${where}: subset "${d.subset}" of ${d.host} is not defined in a DestinationRule`);
              continue;
            }
            const svc = services.get(host);
            const match = podLabels(qualify(d.host, ns).split('.')[1]).some(
              (labels) => selects(subset.labels, labels) && (!svc || selects(svc.spec?.selector, labels)),
            );
            if (!match)
              add(
                'subset',
                vs,
                `${where}: subset "${d.subset}" of ${d.host} (labels ${JSON.stringify(subset.labels ?? {})}) selects no pod of a Deployment behind the Service`,
              );
          }
        }
        if (dests.length > 1 || dests.some((d) => d.weight !== undefined)) {
          const sum = dests.reduce((s, d) => s + (d.weight ?? 0), 0);
          if (!(dests.length === 1 && dests[0].weight === undefined) && sum !== 100) {
            add('route-weights', vs, `${where}: route weights sum to ${sum}, not 100`);
          }
        }
      });
    }
    const bound = ((vs.spec?.gateways ?? []) as string[]).filter((g) => g !== 'mesh');
    for (const g of bound) {
      const [gns, gname] = g.includes('/') ? g.split('/') : [ns, g];
      const gw = gateways.get(`${gns}/${gname}`);
      if (!gw) {
        add('gateway-hosts', vs, `bound to Gateway ${gns}/${gname}, which is not in the render`);
        continue;
      }
      const gwHosts = ((gw.spec?.servers ?? []) as { hosts?: string[] }[])
        .flatMap((s) => s.hosts ?? [])
        .map((h) => (h.includes('/') ? h.split('/')[1] : h));
      for (const h of (vs.spec?.hosts ?? []) as string[]) {
        if (!gwHosts.some((p) => hostMatches(p, h) || (h === '*' && p === '*'))) {
          add(
            'gateway-hosts',
            vs,
            `host "${h}" is not served by Gateway ${gns}/${gname} (hosts ${gwHosts.join(', ')})`,
          );
        }
      }
    }
  }

  // ---- DestinationRule subsets select pods (also for subsets that no route names yet)
  for (const dr of of('DestinationRule')) {
    const host = qualify(dr.spec?.host ?? '', nsOf(dr));
    if (!services.has(host) && !flaggerServices.has(host) && !externalHosts.has(dr.spec?.host)) {
      add('destination-host', dr, `host "${dr.spec?.host}" is neither a Service nor a ServiceEntry host in the render`);
      continue;
    }
    const svc = services.get(host);
    for (const s of (dr.spec?.subsets ?? []) as { name: string; labels?: Record<string, string> }[]) {
      const ok = podLabels(host.split('.')[1]).some(
        (labels) => selects(s.labels, labels) && (!svc || selects(svc.spec?.selector, labels)),
      );
      if (!ok)
        add(
          'subset',
          dr,
          `subset "${s.name}" (labels ${JSON.stringify(s.labels ?? {})}) selects no pod of a Deployment behind ${dr.spec?.host}`,
        );
    }
  }

  // ---- Service ports: Istio must know the protocol
  for (const s of of('Service')) {
    for (const p of (s.spec?.ports ?? []) as { name?: string; port: number; appProtocol?: string }[]) {
      if (!p.appProtocol && !(p.name && PROTOCOL_PORT_NAME.test(p.name))) {
        add(
          'port-protocol',
          s,
          `port ${p.port}: neither appProtocol nor a protocol-prefixed name (http, http-…, grpc, tcp…)`,
        );
      }
    }
  }

  // ---- No workload runs as Istio's proxy UID
  for (const w of [...workloads, ...of('Pod'), ...of('Job')]) {
    const spec = w.kind === 'Pod' ? w.spec : w.spec?.template?.spec;
    if (!spec) continue;
    if (spec.securityContext?.runAsUser === ISTIO_PROXY_UID)
      add('proxy-uid', w, `pod securityContext.runAsUser is ${ISTIO_PROXY_UID}, the Istio proxy's UID`);
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as {
      name: string;
      securityContext?: { runAsUser?: number };
    }[]) {
      if (c.securityContext?.runAsUser === ISTIO_PROXY_UID)
        add('proxy-uid', w, `container ${c.name} runs as UID ${ISTIO_PROXY_UID}, the Istio proxy's UID`);
    }
  }

  // ---- AuthorizationPolicy principals are ServiceAccounts that exist
  const accounts = new Set(of('ServiceAccount').map((sa) => `cluster.local/ns/${nsOf(sa)}/sa/${sa.metadata?.name}`));
  for (const ap of of('AuthorizationPolicy')) {
    walk(ap.spec, '', (obj) => {
      for (const key of ['principals', 'notPrincipals']) {
        for (const p of (obj[key] as string[] | undefined) ?? []) {
          if (p.includes('*') || EXTERNAL_PRINCIPALS.has(p)) continue;
          if (!accounts.has(p)) add('authz-principal', ap, `principal "${p}" names no ServiceAccount in the render`);
        }
      }
    });
  }

  // ---- Every namespaced object says where it goes (else `kubectl apply` puts it in the current namespace)
  for (const o of objects) {
    if (!CLUSTER_SCOPED.has(o.kind ?? '') && !o.metadata?.namespace) add('namespace', o, 'has no metadata.namespace');
  }

  // ---- Deprecated APIs and fields
  for (const o of objects) {
    const [group, version] = (o.apiVersion ?? '').split('/');
    if (ISTIO_V1_KINDS[group]?.includes(o.kind ?? '') && version !== 'v1') {
      add('deprecated', o, `${o.apiVersion} is deprecated for ${o.kind}: use ${group}/v1`);
    }
    if (group.endsWith('istio.io')) {
      walk(o.spec, '/spec', (obj, path) => {
        for (const d of DEPRECATED_FIELDS) {
          if (d.parent.test(path) && obj[d.field] !== undefined)
            add('deprecated', o, `${path}/${d.field} is deprecated: use ${d.use}`);
        }
      });
    }
  }
  return issues;
}
