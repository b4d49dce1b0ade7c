// Strict schema validation of rendered Kubernetes objects, offline.
//
// Sources (all npm packages in the lockfile, nothing fetched at run time):
// - core kinds: `kubernetes-models` (generated from the Kubernetes OpenAPI spec), Istio kinds:
//   `@kubernetes-models/istio` (generated from Istio's CRD openAPIV3Schema). Each package ships, per
//   kind, a TypeScript declaration of the schema (every field, its type, enums as literal unions,
//   required fields) and a compiled JSON-schema validator (formats, ranges, oneOf). The compiled
//   validators accept unknown fields, so unknown fields are caught here by walking each object along
//   the declared schema type with the TypeScript checker: a field that the schema does not declare
//   (`retrys`) is an error, as it is for `kubectl apply --validate=strict` against a real API server.
// - Flagger's Canary: the CRD shipped with Flagger, vendored under tools/k8s/schemas (see its README),
//   checked as the API server checks a structural schema (unknown fields rejected unless
//   x-kubernetes-preserve-unknown-fields).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './paths.js';
import type { K8sObject } from './render.js';

export interface SchemaIssue {
  object: string;
  path: string;
  message: string;
}

interface KindSource {
  /** module that exports both the model class (runtime validator) and its `I<Kind>` interface */
  module: string;
  className: string;
}

const ISTIO = '@kubernetes-models/istio';

/** The kinds the project's manifests may contain, by `apiVersion/kind`. Anything else is an error. */
export const SUPPORTED_KINDS: Record<string, KindSource> = Object.fromEntries(
  [
    ['v1', 'Namespace'],
    ['v1', 'Service'],
    ['v1', 'ServiceAccount'],
    ['v1', 'ConfigMap'],
    ['v1', 'Secret'],
    ['v1', 'PersistentVolumeClaim'],
    ['v1', 'Pod'],
    ['apps/v1', 'Deployment'],
    ['batch/v1', 'Job'],
    ['policy/v1', 'PodDisruptionBudget'],
    ['autoscaling/v2', 'HorizontalPodAutoscaler'],
    ['networking.k8s.io/v1', 'Ingress'],
    ['networking.k8s.io/v1', 'NetworkPolicy'],
    ['rbac.authorization.k8s.io/v1', 'Role'],
    ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
    ['networking.istio.io/v1', 'Gateway'],
    ['networking.istio.io/v1', 'VirtualService'],
    ['networking.istio.io/v1', 'DestinationRule'],
    ['networking.istio.io/v1', 'ServiceEntry'],
    ['networking.istio.io/v1', 'Sidecar'],
    ['networking.istio.io/v1alpha3', 'EnvoyFilter'],
    // Deprecated versions are known so that the mesh check can name them; the schema accepts them.
    ['networking.istio.io/v1alpha3', 'VirtualService'],
    ['networking.istio.io/v1alpha3', 'DestinationRule'],
    ['networking.istio.io/v1alpha3', 'Gateway'],
    ['networking.istio.io/v1beta1', 'VirtualService'],
    ['networking.istio.io/v1beta1', 'DestinationRule'],
    ['networking.istio.io/v1beta1', 'Gateway'],
    ['security.istio.io/v1', 'PeerAuthentication'],
    ['security.istio.io/v1', 'AuthorizationPolicy'],
    ['security.istio.io/v1beta1', 'PeerAuthentication'],
    ['security.istio.io/v1beta1', 'AuthorizationPolicy'],
    ['telemetry.istio.io/v1', 'Telemetry'],
  ].map(([apiVersion, kind]) => {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const module = group.endsWith('istio.io')
      ? `${ISTIO}/${group}/${version}/${kind}`
      : group === ''
        ? `kubernetes-models/v1/${kind}`
        : `kubernetes-models/${group}/${version}/${kind}`;
    return [`${apiVersion}/${kind}`, { module, className: kind }];
  }),
);

/** CRDs vendored under tools/k8s/schemas, by apiVersion/kind. */
const VENDORED_CRDS: Record<string, string> = {
  'flagger.app/v1beta1/Canary': 'flagger-canary-crd.yaml',
  'gateway.networking.k8s.io/v1/Gateway': 'gateway-api-crds.yaml',
  'gateway.networking.k8s.io/v1/HTTPRoute': 'gateway-api-crds.yaml',
};

const here = dirname(fileURLToPath(import.meta.url));

function toolRoot(): string {
  // src/ or dist/ sit directly under tools/k8s
  return join(here, '..');
}

// ---------------------------------------------------------------------------------------------
// Schema types through the TypeScript checker

interface TypeWorld {
  checker: ts.TypeChecker;
  types: Map<string, ts.Type>;
}

let world: TypeWorld | undefined;

function typeWorld(): TypeWorld {
  if (world) return world;
  const root = repoRoot();
  const keys = Object.keys(SUPPORTED_KINDS);
  const source = keys
    .map(
      (key, i) =>
        `import type { I${SUPPORTED_KINDS[key].className} as T${i} } from '${SUPPORTED_KINDS[key].module}';\nexport type K${i} = T${i};`,
    )
    .join('\n');
  const fileName = join(root, 'tools', 'k8s', '__schema_types__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options, true);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => (f === fileName ? source : readFile(f));
  host.fileExists = (f) => f === fileName || fileExists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, onError, shouldCreate) =>
    f === fileName ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, onError, shouldCreate);
  const program = ts.createProgram({ rootNames: [fileName], options, host });
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(fileName);
  if (!sf) throw new Error('schema types: synthetic source missing');
  const unresolved = program
    .getSemanticDiagnostics(sf)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (unresolved.length) throw new Error(`schema types do not resolve:\n${unresolved.join('\n')}`);
  const types = new Map<string, ts.Type>();
  for (const stmt of sf.statements) {
    if (ts.isTypeAliasDeclaration(stmt)) {
      const i = Number(stmt.name.text.slice(1));
      types.set(keys[i], checker.getTypeAtLocation(stmt.name));
    }
  }
  world = { checker, types };
  return world;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Errors of `value` against the schema type; empty when it conforms. */
function check(
  checker: ts.TypeChecker,
  value: unknown,
  type: ts.Type,
  path: string,
  depth = 0,
): Omit<SchemaIssue, 'object'>[] {
  if (depth > 64) return [];
  const f = type.flags;
  if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
  if (type.isUnion()) {
    const members = type.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined));
    let best: Omit<SchemaIssue, 'object'>[] | undefined;
    const literals: string[] = [];
    for (const m of members) {
      const errs = check(checker, value, m, path, depth + 1);
      if (errs.length === 0) return [];
      if (m.isStringLiteral() || m.isNumberLiteral()) literals.push(JSON.stringify(m.value));
      // prefer the member whose shape matches the value (object vs primitive) with the fewest errors
      const sameShape = ((m.flags & ts.TypeFlags.Object) !== 0) === isPlainObject(value) || Array.isArray(value);
      if (!best || (sameShape && errs.length < best.length)) best = errs;
    }
    if (literals.length === members.length && literals.length > 0) {
      return [{ path, message: `${JSON.stringify(value)} is not one of ${literals.join(', ')}` }];
    }
    return best ?? [{ path, message: 'no schema type matches' }];
  }
  if (f & ts.TypeFlags.Null) return value === null ? [] : [{ path, message: `expected null, got ${describe(value)}` }];
  if (f & ts.TypeFlags.StringLiteral) {
    const lit = (type as ts.StringLiteralType).value;
    return value === lit ? [] : [{ path, message: `expected ${JSON.stringify(lit)}, got ${JSON.stringify(value)}` }];
  }
  if (f & ts.TypeFlags.NumberLiteral) {
    const lit = (type as ts.NumberLiteralType).value;
    return value === lit ? [] : [{ path, message: `expected ${lit}, got ${JSON.stringify(value)}` }];
  }
  if (f & ts.TypeFlags.BooleanLiteral) {
    const lit = checker.typeToString(type) === 'true';
    return value === lit ? [] : [{ path, message: `expected ${lit}, got ${JSON.stringify(value)}` }];
  }
  if (f & ts.TypeFlags.String)
    return typeof value === 'string' ? [] : [{ path, message: `expected string, got ${describe(value)}` }];
  if (f & ts.TypeFlags.Number)
    return typeof value === 'number' ? [] : [{ path, message: `expected number, got ${describe(value)}` }];
  if (f & ts.TypeFlags.Boolean)
    return typeof value === 'boolean' ? [] : [{ path, message: `expected boolean, got ${describe(value)}` }];
  if (f & ts.TypeFlags.Object) {
    if (checker.isArrayType(type)) {
      if (!Array.isArray(value)) return [{ path, message: `expected array, got ${describe(value)}` }];
      const [elem] = checker.getTypeArguments(type as ts.TypeReference);
      return value.flatMap((v, i) => check(checker, v, elem, `${path}/${i}`, depth + 1));
    }
    if (!isPlainObject(value)) return [{ path, message: `expected object, got ${describe(value)}` }];
    const errors: Omit<SchemaIssue, 'object'>[] = [];
    const indexType = type.getStringIndexType();
    // `{}`: the generator's rendering of `x-kubernetes-preserve-unknown-fields` (e.g. an EnvoyFilter
    // patch value, a Struct): any object, as the API server keeps it.
    if (!indexType && type.getProperties().length === 0) return [];
    for (const [key, v] of Object.entries(value)) {
      const prop = type.getProperty(key);
      if (prop) {
        if (v === null && !(prop.flags & ts.SymbolFlags.Optional)) {
          errors.push({ path: `${path}/${key}`, message: 'must not be null' });
          continue;
        }
        if (v === null) continue; // an explicit null on an optional field means "unset" to the API server
        errors.push(...check(checker, v, checker.getTypeOfSymbol(prop), `${path}/${key}`, depth + 1));
      } else if (indexType) {
        errors.push(...check(checker, v, indexType, `${path}/${key}`, depth + 1));
      } else {
        errors.push({ path: `${path}/${key}`, message: `unknown field "${key}"` });
      }
    }
    for (const prop of type.getProperties()) {
      if (!(prop.flags & ts.SymbolFlags.Optional) && value[prop.name] === undefined) {
        errors.push({ path: `${path}/${prop.name}`, message: `required field "${prop.name}" is missing` });
      }
    }
    return errors;
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Structural schemas of vendored CRDs (openAPIV3Schema), checked the way the API server prunes

interface OpenApiSchema {
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
  required?: string[];
  enum?: unknown[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  pattern?: string;
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
}

const crdCache = new Map<string, OpenApiSchema>();

function crdSchema(key: string): OpenApiSchema {
  const cached = crdCache.get(key);
  if (cached) return cached;
  const file = join(toolRoot(), 'schemas', VENDORED_CRDS[key]);
  const version = key.split('/')[1];
  interface Crd {
    kind?: string;
    spec?: { names?: { kind?: string }; versions?: { name: string; schema?: { openAPIV3Schema?: OpenApiSchema } }[] };
  }
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Crd);
  const kind = key.split('/').at(-1);
  const crd = docs.find((d) => d?.kind === 'CustomResourceDefinition' && d.spec?.names?.kind === kind);
  const schema = crd?.spec?.versions?.find((v) => v.name === version)?.schema?.openAPIV3Schema;
  if (!schema) throw new Error(`${file}: no schema for ${key}`);
  crdCache.set(key, schema);
  return schema;
}

function checkStructural(value: unknown, s: OpenApiSchema, path: string): Omit<SchemaIssue, 'object'>[] {
  if (value === null) return [];
  if (s['x-kubernetes-int-or-string']) {
    return typeof value === 'string' || Number.isInteger(value)
      ? []
      : [{ path, message: 'expected integer or string' }];
  }
  if (s.enum && !s.enum.includes(value))
    return [
      { path, message: `${JSON.stringify(value)} is not one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}` },
    ];
  switch (s.type) {
    case 'string':
      if (typeof value !== 'string') return [{ path, message: `expected string, got ${describe(value)}` }];
      return s.pattern && !new RegExp(s.pattern).test(value)
        ? [{ path, message: `${JSON.stringify(value)} does not match ${s.pattern}` }]
        : [];
    case 'integer':
      return Number.isInteger(value) ? [] : [{ path, message: `expected integer, got ${JSON.stringify(value)}` }];
    case 'number':
      return typeof value === 'number' ? [] : [{ path, message: `expected number, got ${describe(value)}` }];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [{ path, message: `expected boolean, got ${describe(value)}` }];
    case 'array':
      if (!Array.isArray(value)) return [{ path, message: `expected array, got ${describe(value)}` }];
      return s.items ? value.flatMap((v, i) => checkStructural(v, s.items as OpenApiSchema, `${path}/${i}`)) : [];
    case 'object': {
      if (!isPlainObject(value)) return [{ path, message: `expected object, got ${describe(value)}` }];
      const errors: Omit<SchemaIssue, 'object'>[] = [];
      for (const [k, v] of Object.entries(value)) {
        const p = s.properties?.[k];
        if (p) errors.push(...checkStructural(v, p, `${path}/${k}`));
        else if (typeof s.additionalProperties === 'object')
          errors.push(...checkStructural(v, s.additionalProperties, `${path}/${k}`));
        else if (!s['x-kubernetes-preserve-unknown-fields'] && s.additionalProperties !== true && s.properties) {
          errors.push({ path: `${path}/${k}`, message: `unknown field "${k}"` });
        }
      }
      for (const r of s.required ?? [])
        if (value[r] === undefined) errors.push({ path: `${path}/${r}`, message: `required field "${r}" is missing` });
      return errors;
    }
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------

const modelCache = new Map<string, { validate(): void } & (new (data: unknown) => { validate(): void })>();

async function runtimeValidator(key: string): Promise<new (data: unknown) => { validate(): void }> {
  const cached = modelCache.get(key);
  if (cached) return cached;
  const src = SUPPORTED_KINDS[key];
  const mod = (await import(src.module)) as Record<string, never>;
  const ctor = mod[src.className];
  if (!ctor) throw new Error(`${src.module} has no ${src.className}`);
  modelCache.set(key, ctor);
  return ctor;
}

export function objectName(o: K8sObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind ?? '?'} ${ns}${o.metadata?.name ?? '?'} (${o.apiVersion ?? '?'})`;
}

/** Validates each object strictly against the schema of its apiVersion and kind. */
export async function validateObjects(objects: K8sObject[]): Promise<SchemaIssue[]> {
  const issues: SchemaIssue[] = [];
  for (const o of objects) {
    const name = objectName(o);
    const key = `${o.apiVersion}/${o.kind}`;
    if (VENDORED_CRDS[key]) {
      issues.push(...checkStructural(o, crdSchema(key), '').map((i) => ({ ...i, object: name })));
      continue;
    }
    if (!SUPPORTED_KINDS[key]) {
      issues.push({
        object: name,
        path: '',
        message: `no schema for ${key}: add it to SUPPORTED_KINDS in tools/k8s/src/schema.ts`,
      });
      continue;
    }
    const { checker, types } = typeWorld();
    const type = types.get(key);
    if (!type) throw new Error(`schema type for ${key} did not load`);
    issues.push(...check(checker, o, type, '').map((i) => ({ ...i, object: name })));
    const Ctor = await runtimeValidator(key);
    try {
      new Ctor(o).validate();
    } catch (e) {
      const details = (e as { errors?: { instancePath?: string; message?: string }[] }).errors;
      if (details?.length) {
        for (const d of details)
          issues.push({ object: name, path: d.instancePath ?? '', message: d.message ?? String(e) });
      } else {
        issues.push({ object: name, path: '', message: (e as Error).message });
      }
    }
  }
  return issues;
}
