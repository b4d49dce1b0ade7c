import { SignJWT } from 'jose';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
  timingSafeEqual,
} from 'node:crypto';

/** The services that call other services' internal writes (docs/security.md). */
export const CALLERS = ['camera-agent', 'collector', 'cpanel'] as const;
export type Caller = (typeof CALLERS)[number];

/** The variable that holds a caller's public key on the services that accept it. */
export function callerEnvName(caller: Caller): `AUTH_PUBLIC_KEY_${string}` {
  return `AUTH_PUBLIC_KEY_${caller.toUpperCase().replace(/-/g, '_')}`;
}

/** A new Ed25519 key pair as single-line base64 DER (PKCS#8 private, SPKI public): what env and Secrets hold. */
export function generateServiceKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

export function privateKeyFrom(base64Der: string): KeyObject {
  const key = createPrivateKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 private key');
  return key;
}

export function publicKeyFrom(base64Der: string): KeyObject {
  const key = createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
  return key;
}

/** The public key of a private one (what a receiver holds for a caller). */
export function publicKeyOf(base64Der: string): string {
  return createPublicKey(privateKeyFrom(base64Der)).export({ format: 'der', type: 'spki' }).toString('base64');
}

export function digest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Compares a presented secret with the digest of the expected one in constant time (equal-length digests). */
export function secretMatches(presented: string, expectedDigest: Buffer): boolean {
  return timingSafeEqual(digest(presented), expectedDigest);
}

/**
 * A caller's token for one request (EdDSA JWT, 60 s, bound to method and path): what the generated
 * clients send with an internal write, signed with the caller's AUTH_SERVICE_KEY.
 */
export function signCallerToken(
  key: KeyObject | string,
  subject: string,
  method: string,
  path: string,
  seconds = 60,
): Promise<string> {
  return new SignJWT({ htm: method.toUpperCase(), htu: path })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(`${seconds}s`)
    .sign(typeof key === 'string' ? privateKeyFrom(key) : key);
}

/** Which callers each app accepts on its internal writes (the CallerOnly/OperatorOrCaller lists of its routes). */
export const ACCEPTED_CALLERS: Readonly<Record<string, readonly Caller[]>> = {
  collector: ['camera-agent'],
  'image-analysis': ['collector'],
  'face-recognition': ['collector'],
  section: ['collector'],
  alerts: ['collector'],
  cpanel: ['collector'],
  'camera-agent': ['cpanel'],
};
/** Apps with operator routes (camera control, watch list writes, face images). */
export const OPERATOR_APPS: readonly string[] = ['cpanel', 'face-recognition', 'camera-agent'];

/** A whole system's credentials: the operator token and one key pair per caller. */
export interface SystemCredentials {
  operatorToken: string;
  keys: Record<Caller, { privateKey: string; publicKey: string }>;
}

export function newSystemCredentials(): SystemCredentials {
  const keys = Object.fromEntries(CALLERS.map((c) => [c, generateServiceKeyPair()])) as SystemCredentials['keys'];
  return { operatorToken: randomBytes(24).toString('base64url'), keys };
}

/**
 * The credentials one process of `app` gets with AUTH=app, least privilege: its own private key if it
 * calls other services' writes, the public keys of its legitimate callers, the operator token where
 * operator routes live (the same split as the Kubernetes Secrets, docs/security.md).
 */
export function credentialEnv(credentials: SystemCredentials, app: string): Record<string, string> {
  const env: Record<string, string> = { AUTH: 'app' };
  if ((CALLERS as readonly string[]).includes(app)) env.AUTH_SERVICE_KEY = credentials.keys[app as Caller].privateKey;
  for (const caller of ACCEPTED_CALLERS[app] ?? []) env[callerEnvName(caller)] = credentials.keys[caller].publicKey;
  if (OPERATOR_APPS.includes(app)) env.OPERATOR_TOKEN = credentials.operatorToken;
  return env;
}
