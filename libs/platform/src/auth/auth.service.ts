import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import type { IncomingHttpHeaders } from 'node:http';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
import { type Caller, secretMatches, signCallerToken } from './keys.js';

/** Name of the dashboard's session cookie. */
export const SESSION_COOKIE = 'am_session';
/** A caller's token is valid this long; it also names the method and path it was signed for. */
const CALLER_TOKEN_SECONDS = 60;
/** A signed token is reused for this long (then a new one is signed). */
const CALLER_TOKEN_REUSE_MS = 30_000;
const VERIFIED_CACHE = 2048;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export type OperatorCheck = 'ok' | 'missing' | 'invalid' | 'disabled';
export type CallerCheck =
  { result: 'ok'; caller: Caller; subject: string } | { result: 'missing' | 'invalid' | 'forbidden' };

/**
 * The credentials of this process (docs/security.md): the tokens it signs for its calls to other
 * services' writes (Ed25519 JWTs via `jose`, bound to method and path, 60 s), the check of its callers'
 * tokens against their public keys, and the operator credential (bearer token compared in constant time,
 * or the dashboard's signed session cookie).
 */
@Injectable()
export class AuthService {
  private readonly signed = new Map<string, { token: string; until: number }>();
  /** Tokens already verified (signature checked once), to their caller and expiry. */
  private readonly verified = new Map<
    string,
    { caller: Caller; subject: string; exp: number; htm: string; htu: string }
  >();

  constructor(@Inject(AUTH_OPTIONS) readonly options: AuthOptions) {}

  get mode(): AuthOptions['mode'] {
    return this.options.mode;
  }

  /** The `Authorization` value this process sends with a write to another service, or undefined without a key. */
  async callerAuthorization(method: string, path: string): Promise<string | undefined> {
    const key = this.options.serviceKey;
    if (!key) return undefined;
    const htm = method.toUpperCase();
    const cacheKey = `${htm} ${path}`;
    const now = Date.now();
    const hit = this.signed.get(cacheKey);
    if (hit && hit.until > now) return `Bearer ${hit.token}`;
    const token = await signCallerToken(key, this.options.identity, htm, path, CALLER_TOKEN_SECONDS);
    if (this.signed.size > 1024) this.signed.clear();
    this.signed.set(cacheKey, { token, until: now + CALLER_TOKEN_REUSE_MS });
    return `Bearer ${token}`;
  }

  /** Checks a caller's token: signed by one of `allowed`, for this method and path, not expired. */
  async checkCaller(
    authorization: string | undefined,
    method: string,
    path: string,
    allowed: readonly Caller[],
  ): Promise<CallerCheck> {
    const token = bearer(authorization);
    if (!token) return { result: 'missing' };
    if (!JWT_SHAPE.test(token) || token.length > 4096) return { result: 'invalid' };
    const now = Math.floor(Date.now() / 1000);
    let entry = this.verified.get(token);
    if (entry && entry.exp <= now) {
      this.verified.delete(token);
      entry = undefined;
    }
    if (!entry) {
      for (const [caller, key] of this.options.callerKeys) {
        try {
          const { payload } = await jwtVerify(token, key, { algorithms: ['EdDSA'], requiredClaims: ['exp', 'sub'] });
          if (typeof payload.htm !== 'string' || typeof payload.htu !== 'string') return { result: 'invalid' };
          entry = { caller, subject: String(payload.sub), exp: payload.exp!, htm: payload.htm, htu: payload.htu };
          if (this.verified.size >= VERIFIED_CACHE) this.verified.delete(this.verified.keys().next().value!);
          this.verified.set(token, entry);
          break;
        } catch (error) {
          if (error instanceof joseErrors.JWSSignatureVerificationFailed) continue; // another caller's key may fit
          return { result: 'invalid' };
        }
      }
    }
    if (!entry) return { result: 'invalid' };
    if (entry.htm !== method.toUpperCase() || entry.htu !== path) return { result: 'invalid' };
    if (!allowed.includes(entry.caller)) return { result: 'forbidden' };
    return { result: 'ok', caller: entry.caller, subject: entry.subject };
  }

  /** Checks the operator credential: `Authorization: Bearer <OPERATOR_TOKEN>` or a dashboard session cookie. */
  async checkOperator(headers: IncomingHttpHeaders): Promise<OperatorCheck> {
    const digest = this.options.operatorDigest;
    if (!digest) return 'disabled';
    const token = bearer(headers.authorization);
    if (token !== undefined && secretMatches(token, digest)) return 'ok';
    const session = cookie(headers.cookie, SESSION_COOKIE);
    if (session && (await this.sessionValid(session))) return 'ok';
    return token !== undefined || session !== undefined ? 'invalid' : 'missing';
  }

  /** Whether a presented operator token is right (the dashboard's sign-in form). */
  operatorTokenMatches(token: string): boolean {
    const digest = this.options.operatorDigest;
    return Boolean(digest) && secretMatches(token, digest!);
  }

  /** A new session cookie value for the dashboard (HS256 JWT with a key derived from OPERATOR_TOKEN). */
  async createSession(): Promise<string> {
    if (!this.options.sessionKey) throw new Error('no OPERATOR_TOKEN: sign-in is off');
    return new SignJWT({ role: 'operator' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('operator')
      .setIssuedAt()
      .setExpirationTime(`${this.options.sessionSeconds}s`)
      .sign(this.options.sessionKey);
  }

  private async sessionValid(value: string): Promise<boolean> {
    if (!this.options.sessionKey || !JWT_SHAPE.test(value) || value.length > 4096) return false;
    try {
      const { payload } = await jwtVerify(value, this.options.sessionKey, {
        algorithms: ['HS256'],
        subject: 'operator',
      });
      return payload.role === 'operator';
    } catch {
      return false;
    }
  }
}

function bearer(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(authorization);
  return match ? match[1] : '';
}

export function cookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
