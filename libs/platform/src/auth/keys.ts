import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  timingSafeEqual,
} from 'node:crypto';

/** The services that call other services' internal writes (docs/security.md). */
export const CALLERS = ['camera-agent', 'collector', 'cpanel'] as const;
export type Caller = (typeof CALLERS)[number];

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
