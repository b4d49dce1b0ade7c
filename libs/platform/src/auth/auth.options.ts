import type { KeyObject } from 'node:crypto';
import { createHash, hkdfSync } from 'node:crypto';
import type { BaseEnv } from '../config/base-env.js';
import { CALLERS, type Caller, callerEnvName, digest, privateKeyFrom, publicKeyFrom } from './keys.js';

/** Injection token of the validated authentication settings. */
export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');

/**
 * `AUTH` and its credentials (docs/security.md). `app`: this process checks callers' signed tokens and
 * the operator credential. `mesh`: the mesh (mTLS principals, AuthorizationPolicies) decides which
 * service may call which path, so callers' tokens are not checked here; the operator credential still
 * is (a mesh cannot tell a person from a person).
 */
export interface AuthOptions {
  mode: 'app' | 'mesh';
  /** Who this process is, in the `sub` of the tokens it signs. */
  identity: string;
  /** This process's own Ed25519 key (AUTH_SERVICE_KEY): signs its calls to other services' writes. */
  serviceKey?: KeyObject;
  /** Public keys of the callers this process accepts (AUTH_PUBLIC_KEY_<CALLER>). */
  callerKeys: Map<Caller, KeyObject>;
  /** SHA-256 of OPERATOR_TOKEN; unset = every operator route is refused (403). */
  operatorDigest?: Buffer;
  /** Key of the dashboard's session cookies, derived from OPERATOR_TOKEN (a new token ends every session). */
  sessionKey?: Uint8Array;
  /** Lifetime of a dashboard session. */
  sessionSeconds: number;
}

export function authOptionsFrom(env: BaseEnv, identity: string): AuthOptions {
  const callerKeys = new Map<Caller, KeyObject>();
  for (const caller of CALLERS) {
    const value = (env as unknown as Record<string, string | undefined>)[callerEnvName(caller)];
    if (value) callerKeys.set(caller, publicKeyFrom(value));
  }
  const operator = env.OPERATOR_TOKEN;
  return {
    mode: env.AUTH,
    identity,
    serviceKey: env.AUTH_SERVICE_KEY ? privateKeyFrom(env.AUTH_SERVICE_KEY) : undefined,
    callerKeys,
    operatorDigest: operator ? digest(operator) : undefined,
    sessionKey: operator
      ? new Uint8Array(
          hkdfSync('sha256', operator, createHash('sha256').update(identity).digest(), 'cpanel session', 32),
        )
      : undefined,
    sessionSeconds: env.AUTH_SESSION_SECONDS,
  };
}
