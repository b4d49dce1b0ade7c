/**
 * The local stack's credentials (docs/security.md): one operator token and one Ed25519 key pair per
 * calling service, made on the first start and kept in the data folder (mode 0600), so a browser's
 * sign-in survives a restart. Each service gets only what it needs: its own private key if it calls
 * other services' writes, the public keys of its legitimate callers, and the operator token where
 * operator routes live.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CALLERS, type SystemCredentials, credentialEnv, newSystemCredentials } from '@airport-mesh/platform/keys';

export type StackCredentials = SystemCredentials;
export { credentialEnv };

/** The credentials of the stack in `dataDir`, made on first use. */
export function loadOrCreateCredentials(dataDir: string): StackCredentials {
  const file = join(dataDir, 'credentials.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as StackCredentials;
    if (saved.operatorToken && CALLERS.every((c) => saved.keys?.[c]?.privateKey)) return saved;
  }
  const fresh = newSystemCredentials();
  writeFileSync(file, JSON.stringify(fresh, null, 2) + '\n', { mode: 0o600 });
  return fresh;
}

/** How to sign in, for `npm start`'s table. */
export function signInHelp(credentials: StackCredentials, dashboards: string[]): string {
  return [
    `Operator token (camera control, watch list, face images): ${credentials.operatorToken}`,
    `  Dashboard: open ${dashboards.map((d) => `${d}/login`).join(' or ')} and paste it.`,
    `  curl: -H 'Authorization: Bearer ${credentials.operatorToken}'`,
  ].join('\n');
}
