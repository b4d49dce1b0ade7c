// The AUTH credentials of the cluster (docs/security.md), never in git: the operator token (Secret
// airport-operator, both overlays), each calling service's Ed25519 private key (Secret
// airport-key-<caller>) and the callers' public keys (Secret airport-public-keys), which the plain
// overlay's auth-app component reads (AUTH=app). This file is the pure part: names, what a render
// reads, what the cluster already holds, and the objects to apply. The cluster driver
// (src/cluster.ts, ensureAuthSecrets) reads the cluster, calls planAuthSecrets and applies its
// `changed` objects before every deploy, so existing keys are kept unless a rotation is asked for.
import {
  CALLERS,
  type Caller,
  callerEnvName,
  newSystemCredentials,
  privateKeyFrom,
  publicKeyOf,
} from '@airport-mesh/platform/keys';
import type { K8sObject } from './render.js';
import { secretRefs } from './resolve.js';

/** The operator credential: both overlays (the operator routes are checked in both AUTH modes). */
export const OPERATOR_SECRET = { name: 'airport-operator', key: 'OPERATOR_TOKEN' } as const;
/** A caller's own private key (AUTH=app): read only by that caller's Deployments. */
export const SERVICE_KEY = 'AUTH_SERVICE_KEY';
export const serviceKeySecret = (caller: Caller): string => `airport-key-${caller}`;
/** The callers' public keys, one key per caller (AUTH_PUBLIC_KEY_<CALLER>): read by their receivers. */
export const PUBLIC_KEYS_SECRET = 'airport-public-keys';
/** Every Secret this file makes, in the order they are applied. */
export const AUTH_SECRET_NAMES: readonly string[] = [
  OPERATOR_SECRET.name,
  ...CALLERS.map(serviceKeySecret),
  PUBLIC_KEYS_SECRET,
];
const KEY_SECRETS = AUTH_SECRET_NAMES.filter((n) => n !== OPERATOR_SECRET.name);

/** What the cluster holds: each Secret of AUTH_SECRET_NAMES that exists, its data decoded. */
export type StoredSecrets = Map<string, Record<string, string>>;

/** Parses `kubectl get secret <names> -o json --ignore-not-found` (a List, one Secret, or nothing). */
export function storedSecrets(json: string): StoredSecrets {
  const out: StoredSecrets = new Map();
  if (!json.trim()) return out;
  const parsed = JSON.parse(json) as K8sObject;
  const items = (parsed.kind === 'List' ? (parsed.items as K8sObject[]) : [parsed]) ?? [];
  for (const s of items) {
    const name = s.metadata?.name;
    if (s.kind !== 'Secret' || !name || !AUTH_SECRET_NAMES.includes(name)) continue;
    const data = (s.data ?? {}) as Record<string, string>;
    out.set(name, Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()])));
  }
  return out;
}

/** The Secrets of AUTH_SECRET_NAMES that a render's Deployments read. */
export function authSecretsReadBy(objects: K8sObject[]): string[] {
  const read = new Set(objects.filter((o) => o.kind === 'Deployment').flatMap((d) => secretRefs(d).map((r) => r.name)));
  return AUTH_SECRET_NAMES.filter((n) => read.has(n));
}

export interface AuthSecretPlan {
  /** Every Secret wanted, with its (kept or new) data. */
  objects: K8sObject[];
  /** Those of `objects` whose data differs from the cluster's: what to apply. */
  changed: K8sObject[];
  /** Names of Secrets that did not exist. */
  created: string[];
  /** Names of existing Secrets whose data changes (rotation, or public keys of a new key pair). */
  replaced: string[];
}

export class InvalidStoredSecret extends Error {}

function secret(name: string, namespace: string, data: Record<string, string>): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/part-of': 'airport-mesh', 'app.kubernetes.io/managed-by': 'airport-mesh-k8s' },
    },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

/** The plain values of a Secret object made here (its data decoded). */
export function secretData(o: K8sObject): Record<string, string> {
  return Object.fromEntries(
    Object.entries((o.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
  );
}

/**
 * The Secrets `want` names, keeping what `stored` holds (unless `rotate`): the operator token, each
 * caller's private key, and the public keys, always derived from the private keys (so they never
 * disagree). New values come from the platform's generators (`newSystemCredentials`: Ed25519 via
 * node:crypto, a 32-character random token). A stored value that is not a usable credential is an
 * error (nothing is replaced silently): `rotate` replaces it.
 */
export function planAuthSecrets(
  stored: StoredSecrets,
  options: { want?: readonly string[]; rotate?: boolean; namespace?: string } = {},
): AuthSecretPlan {
  const namespace = options.namespace ?? 'airport-mesh';
  const want = new Set(options.want ?? AUTH_SECRET_NAMES);
  // a receiver's public keys need every caller's key pair, and a caller's key its public key
  if (KEY_SECRETS.some((n) => want.has(n))) KEY_SECRETS.forEach((n) => want.add(n));
  const keep = (name: string) => (options.rotate ? undefined : stored.get(name));
  const fresh = newSystemCredentials();
  const objects: K8sObject[] = [];
  if (want.has(OPERATOR_SECRET.name)) {
    let token = keep(OPERATOR_SECRET.name)?.[OPERATOR_SECRET.key];
    if (token !== undefined && (token.length < 16 || /\s/.test(token)))
      throw new InvalidStoredSecret(
        `Secret ${OPERATOR_SECRET.name} holds no usable ${OPERATOR_SECRET.key} (≥ 16 characters, no spaces); make rotate-secrets replaces it`,
      );
    token ??= fresh.operatorToken;
    objects.push(secret(OPERATOR_SECRET.name, namespace, { [OPERATOR_SECRET.key]: token }));
  }
  if (want.has(PUBLIC_KEYS_SECRET)) {
    const publicKeys: Record<string, string> = {};
    for (const caller of CALLERS) {
      const name = serviceKeySecret(caller);
      let privateKey = keep(name)?.[SERVICE_KEY];
      if (privateKey !== undefined) {
        try {
          privateKeyFrom(privateKey);
        } catch (e) {
          throw new InvalidStoredSecret(
            `Secret ${name} holds no Ed25519 ${SERVICE_KEY} (${(e as Error).message}); make rotate-secrets replaces it`,
          );
        }
      }
      privateKey ??= fresh.keys[caller].privateKey;
      objects.push(secret(name, namespace, { [SERVICE_KEY]: privateKey }));
      publicKeys[callerEnvName(caller)] = publicKeyOf(privateKey);
    }
    objects.push(secret(PUBLIC_KEYS_SECRET, namespace, publicKeys));
  }
  const same = (a: Record<string, string> | undefined, b: Record<string, string>) =>
    !!a && Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);
  const changed = objects.filter((o) => !same(stored.get(o.metadata!.name!), secretData(o)));
  return {
    objects,
    changed,
    created: changed.map((o) => o.metadata!.name!).filter((n) => !stored.has(n)),
    replaced: changed.map((o) => o.metadata!.name!).filter((n) => stored.has(n)),
  };
}
