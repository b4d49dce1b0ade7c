/**
 * The application's access check (AUTH=app and AUTH=mesh) over real HTTP: Ed25519 caller tokens
 * signed with `jose`, the operator token, 401/403 problem bodies, and nothing done when refused.
 */
import { newSystemCredentials, signCallerToken } from '../src/auth/keys.js';
import { startTestService, type TestService } from '../src/testing.js';
import { demoService } from './demo-service.js';

const creds = newSystemCredentials();
const other = newSystemCredentials(); // keys nobody configured: a forger's
const APP_ENV = {
  AUTH: 'app',
  AUTH_PUBLIC_KEY_COLLECTOR: creds.keys.collector.publicKey,
  AUTH_PUBLIC_KEY_CPANEL: creds.keys.cpanel.publicKey,
  OPERATOR_TOKEN: creds.operatorToken,
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const operator = bearer(creds.operatorToken);
const signed = async (caller: 'collector' | 'cpanel' | 'camera-agent', path: string, method = 'POST', keys = creds) =>
  bearer(await signCallerToken(keys.keys[caller].privateKey, `${caller}-test`, method, path));

async function writes(svc: TestService): Promise<number> {
  return ((await (await fetch(`${svc.url}/guarded/count`)).json()) as { writes: number }).writes;
}

async function refused(svc: TestService, path: string, headers: Record<string, string>, status: 401 | 403) {
  const before = await writes(svc);
  const res = await fetch(`${svc.url}${path}`, { method: 'POST', headers });
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as { status: number; detail: string };
  expect(body.status).toBe(status);
  if (status === 401) expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  // The secret is never echoed.
  expect(JSON.stringify(body)).not.toContain(creds.operatorToken);
  expect(await writes(svc)).toBe(before);
  return body;
}

describe('AUTH=app: the application checks every credential', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(demoService, APP_ENV);
  });
  afterAll(() => svc.close());

  it('operator routes: 401 without or with a wrong token, 200 with the operator token', async () => {
    await refused(svc, '/guarded/operator', {}, 401);
    await refused(svc, '/guarded/operator', bearer('not-the-operator-token-at-all'), 401);
    await refused(svc, '/guarded/operator', { authorization: 'Basic b3A6b3A=' }, 401);
    await refused(svc, '/guarded/operator', await signed('collector', '/guarded/operator'), 401); // a service is not a person
    const before = await writes(svc);
    const ok = await fetch(`${svc.url}/guarded/operator`, { method: 'POST', headers: operator });
    expect(ok.status).toBe(200);
    expect(await writes(svc)).toBe(before + 1);
  });

  it('caller routes: only the legitimate caller, with a token for this method and path', async () => {
    await refused(svc, '/guarded/collector', {}, 401);
    await refused(svc, '/guarded/collector', operator, 401); // the operator token is not a service's
    await refused(svc, '/guarded/collector', await signed('cpanel', '/guarded/collector'), 403); // valid, not allowed here
    await refused(svc, '/guarded/collector', await signed('collector', '/guarded/collector', 'POST', other), 401); // forged key
    await refused(svc, '/guarded/collector', await signed('collector', '/guarded/other'), 401); // another path
    await refused(svc, '/guarded/collector', await signed('collector', '/guarded/collector', 'PUT'), 401); // another method
    await refused(svc, '/guarded/collector', bearer('a.b.c'), 401);
    const expired = await signCallerToken(creds.keys.collector.privateKey, 'c', 'POST', '/guarded/collector', -10);
    await refused(svc, '/guarded/collector', bearer(expired), 401);
    const before = await writes(svc);
    const ok = await fetch(`${svc.url}/guarded/collector`, {
      method: 'POST',
      headers: await signed('collector', '/guarded/collector'),
    });
    expect(ok.status).toBe(200);
    expect(await writes(svc)).toBe(before + 1);
  });

  it('operator-or-caller routes: the operator, or the named service', async () => {
    await refused(svc, '/guarded/either', {}, 401);
    await refused(svc, '/guarded/either', await signed('collector', '/guarded/either'), 403);
    for (const headers of [operator, await signed('cpanel', '/guarded/either')]) {
      expect((await fetch(`${svc.url}/guarded/either`, { method: 'POST', headers })).status).toBe(200);
    }
  });

  it('a cookie session from another origin cannot act (the Origin must be this host)', async () => {
    const res = await fetch(`${svc.url}/guarded/operator`, {
      method: 'POST',
      headers: { ...operator, origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
  });

  it('the generated clients sign their writes: one service calls another with its own key', async () => {
    const caller = await startTestService(demoService, {
      AUTH: 'app',
      AUTH_SERVICE_KEY: creds.keys.collector.privateKey,
    });
    try {
      const { ServiceClients } = await import('../src/clients/service-clients.js');
      const clients = caller.app.get(ServiceClients);
      const client = clients.create(
        (config) => ({ post: (path: string) => config.axios.post(`${config.baseURL}${path}`) }),
        svc.url,
      );
      const before = await writes(svc);
      expect((await client.post('/guarded/collector')).status).toBe(200);
      await expect(client.post('/guarded/either')).rejects.toMatchObject({ response: { status: 403 } });
      expect(await writes(svc)).toBe(before + 1);
    } finally {
      await caller.close();
    }
  });
});

describe("AUTH=mesh: callers are the mesh's to check, the operator still the app's", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService(demoService, { ...APP_ENV, AUTH: 'mesh' });
  });
  afterAll(() => svc.close());

  it('a caller route is open to what the mesh lets through; an operator route is not', async () => {
    expect((await fetch(`${svc.url}/guarded/collector`, { method: 'POST' })).status).toBe(200);
    await refused(svc, '/guarded/operator', {}, 401);
    expect((await fetch(`${svc.url}/guarded/operator`, { method: 'POST', headers: operator })).status).toBe(200);
  });
});

describe('no OPERATOR_TOKEN configured', () => {
  it('operator routes are refused (403), never open', async () => {
    const svc = await startTestService(demoService, { AUTH: 'app', OPERATOR_TOKEN: '' });
    try {
      await refused(svc, '/guarded/operator', operator, 403);
    } finally {
      await svc.close();
    }
  });
});
