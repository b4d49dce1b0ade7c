// The AUTH credentials on Kubernetes (docs/security.md), against the artefacts. The key-generation
// command (`make secrets`, and every deploy before its apply) runs for real against a recorder: a real
// executable standing in for the API server that keeps the Secrets applied to it and answers reads
// with them, as a cluster would. Every render (real kubectl kustomize) is then resolved against the
// Secrets the command applied: each Deployment's variables, validated by the platform's env class, and
// the platform's verifier fed with them (real Ed25519 signatures, no hand-written key list).
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthService, authOptionsFrom, BaseEnv, validateEnv } from '@airport-mesh/platform';
import {
  ACCEPTED_CALLERS,
  CALLERS,
  type Caller,
  callerEnvName,
  credentialEnv,
  generateServiceKeyPair,
  newSystemCredentials,
  OPERATOR_APPS,
  publicKeyOf,
  signCallerToken,
} from '@airport-mesh/platform/keys';
import { commands, NAMESPACE, type Io } from '../src/demo.js';
import type { K8sObject } from '../src/render.js';
import {
  AUTH_SECRET_NAMES,
  authSecretsReadBy,
  OPERATOR_SECRET,
  PUBLIC_KEYS_SECRET,
  SERVICE_KEY,
  secretData,
  serviceKeySecret,
} from '../src/secrets.js';
import { renderAll, root } from './renders.js';

const RECORDER = `#!${process.execPath}
const fs = require('fs');
const args = process.argv.slice(2);
let stdin = '';
try { stdin = fs.readFileSync(0, 'utf8'); } catch {}
fs.appendFileSync(process.env.RECORDER_LOG, JSON.stringify({ args, stdin }) + '\\n');
const has = (...xs) => xs.every((x) => args.includes(x));
const file = process.env.RECORDER_SECRETS;
const store = () => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {});
if (has('get', 'namespace')) {
  if (process.env.RECORDER_NO_NAMESPACE) { console.error('Error from server (NotFound)'); process.exit(1); }
  console.log('namespace/airport-mesh'); process.exit(0);
}
if (has('create', 'namespace')) { console.log('namespace/airport-mesh created'); process.exit(0); }
if (args[0] === 'apply' && has('--server-side')) {
  const s = store();
  for (const o of JSON.parse(stdin).items) {
    if (o.kind !== 'Secret' || o.metadata.namespace !== 'airport-mesh') { console.error('not a Secret of airport-mesh'); process.exit(1); }
    s[o.metadata.name] = o;
  }
  fs.writeFileSync(file, JSON.stringify(s));
  process.exit(0);
}
if (has('get', 'secret')) {
  const s = store();
  const jsonpath = args.find((a) => a.startsWith('jsonpath={.data.'));
  if (jsonpath) {
    const name = args[args.indexOf('secret') + 1];
    if (!s[name]) { console.error('Error from server (NotFound): secrets "' + name + '" not found'); process.exit(1); }
    process.stdout.write(s[name].data[jsonpath.slice(16, -1)] || ''); process.exit(0);
  }
  const names = args.slice(args.indexOf('secret') + 1).filter((a) => !a.startsWith('-') && a !== 'json');
  const items = names.filter((n) => s[n]).map((n) => s[n]);
  if (items.length) process.stdout.write(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  process.exit(0);
}
if (has('get', 'pods')) { process.stdout.write(process.env.RECORDER_PODS || ''); process.exit(0); }
if (has('rollout', 'restart')) { console.log('restarted'); process.exit(0); }
console.error('recorder: not expected: ' + args.join(' ')); process.exit(1);
`;

let dir: string;
const logFile = () => join(dir, 'kubectl.log');
const storeFile = () => join(dir, 'secrets.json');
const calls = () =>
  readFileSync(logFile(), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { args: string[]; stdin: string });
const stored = (): Record<string, K8sObject> =>
  JSON.parse(readFileSync(storeFile(), 'utf8')) as Record<string, K8sObject>;
const values = () => Object.fromEntries(Object.entries(stored()).map(([n, o]) => [n, secretData(o)]));

function io(out: string[], env: Record<string, string> = {}): Io {
  return {
    out: (l) => out.push(l),
    err: (l) => out.push(`ERR ${l}`),
    env: {
      ...process.env,
      KUBECTL: join(dir, 'kubectl'),
      RECORDER_LOG: logFile(),
      RECORDER_SECRETS: storeFile(),
      ...env,
    },
    root,
  };
}

function freshRecorder(): void {
  dir = mkdtempSync(join(tmpdir(), 'k8s-secrets-'));
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  writeFileSync(join(dir, 'kubectl'), RECORDER);
  chmodSync(join(dir, 'kubectl'), 0o755);
  writeFileSync(logFile(), '');
}

/** The platform's verifier as a service configured with `env` would hold it (env validated by its class). */
function verifierFor(env: Record<string, string>, identity: string): AuthService {
  return new AuthService(authOptionsFrom(validateEnv(BaseEnv, env), identity));
}

describe('the key-generation command (make secrets; every deploy runs it before its apply)', () => {
  beforeEach(freshRecorder);
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("makes the operator token and an Ed25519 key pair per caller; a caller's token verifies with the platform's verifier, another key's does not", async () => {
    const out: string[] = [];
    expect(await commands(io(out, { RECORDER_NO_NAMESPACE: '1' })).secrets([])).toBe(0);
    expect(calls()[1].args).toEqual(['create', 'namespace', NAMESPACE]);
    const v = values();
    expect(Object.keys(v).sort()).toEqual([...AUTH_SECRET_NAMES].sort());
    // never printed
    for (const data of Object.values(v))
      for (const secret of Object.values(data)) expect(out.join('\n')).not.toContain(secret);
    const operator = v[OPERATOR_SECRET.name][OPERATOR_SECRET.key];
    const publicKeys = v[PUBLIC_KEYS_SECRET];
    expect(Object.keys(publicKeys).sort()).toEqual(CALLERS.map(callerEnvName).sort());
    // a receiver holding every public key and the operator token, validated by the env class
    const receiver = verifierFor({ AUTH: 'app', OPERATOR_TOKEN: operator, ...publicKeys }, 'receiver');
    expect(await receiver.checkOperator({ authorization: `Bearer ${operator}` })).toBe('ok');
    for (const caller of CALLERS) {
      const privateKey = v[serviceKeySecret(caller)][SERVICE_KEY];
      // the env class accepts it as a service's own key
      expect(validateEnv(BaseEnv, { AUTH_SERVICE_KEY: privateKey }).AUTH_SERVICE_KEY).toBe(privateKey);
      expect(publicKeys[callerEnvName(caller)]).toBe(publicKeyOf(privateKey));
      const token = `Bearer ${await signCallerToken(privateKey, caller, 'POST', '/frames')}`;
      expect(await receiver.checkCaller(token, 'POST', '/frames', [caller])).toMatchObject({ result: 'ok', caller });
      // signed by this caller, refused where only another caller may write
      const others = CALLERS.filter((c) => c !== caller);
      expect((await receiver.checkCaller(token, 'POST', '/frames', others)).result).toBe('forbidden');
    }
    const stranger = `Bearer ${await signCallerToken(generateServiceKeyPair().privateKey, 'collector', 'POST', '/frames')}`;
    expect((await receiver.checkCaller(stranger, 'POST', '/frames', [...CALLERS])).result).toBe('invalid');
    expect(out.at(-1)).toContain(`get secret ${OPERATOR_SECRET.name}`); // how to read the token, not the token
  });

  it('run again it keeps every value and applies nothing; rotate-secrets replaces every one and restarts the running pods', async () => {
    expect(await commands(io([])).secrets([])).toBe(0);
    const first = values();
    writeFileSync(logFile(), '');
    const out: string[] = [];
    expect(await commands(io(out)).secrets([])).toBe(0);
    expect(values()).toEqual(first);
    expect(calls().filter((c) => c.args[0] === 'apply')).toEqual([]);
    expect(out.join('\n')).toContain(`keeping Secrets ${AUTH_SECRET_NAMES.map((n) => `${NAMESPACE}/${n}`).join(', ')}`);

    writeFileSync(logFile(), '');
    expect(await commands(io([], { RECORDER_PODS: 'collector-5c6d-x2k4p' }))['rotate-secrets']([])).toBe(0);
    const rotated = values();
    for (const name of AUTH_SECRET_NAMES)
      for (const [key, value] of Object.entries(first[name]))
        expect([name, key, rotated[name][key] !== value]).toEqual([name, key, true]);
    for (const caller of CALLERS)
      expect(rotated[PUBLIC_KEYS_SECRET][callerEnvName(caller)]).toBe(
        publicKeyOf(rotated[serviceKeySecret(caller)][SERVICE_KEY]),
      );
    expect(calls().map((c) => c.args.join(' '))).toContain(
      `-n ${NAMESPACE} rollout restart deployment -l app.kubernetes.io/part-of=airport-mesh`,
    );
  });

  it('a deleted key pair is made again and the public keys follow it; the other keys stay; running pods are restarted', async () => {
    expect(await commands(io([])).secrets([])).toBe(0);
    const first = values();
    const s = stored();
    delete s[serviceKeySecret('collector')];
    writeFileSync(storeFile(), JSON.stringify(s));
    writeFileSync(logFile(), '');
    const out: string[] = [];
    expect(await commands(io(out, { RECORDER_PODS: 'section-1-7d9f' })).secrets([])).toBe(0);
    const after = values();
    const applied = calls().filter((c) => c.args[0] === 'apply');
    expect(applied).toHaveLength(1);
    expect((JSON.parse(applied[0].stdin) as { items: K8sObject[] }).items.map((o) => o.metadata?.name)).toEqual([
      serviceKeySecret('collector'),
      PUBLIC_KEYS_SECRET,
    ]);
    expect(after[serviceKeySecret('collector')][SERVICE_KEY]).not.toBe(
      first[serviceKeySecret('collector')][SERVICE_KEY],
    );
    expect(after[PUBLIC_KEYS_SECRET][callerEnvName('collector')]).toBe(
      publicKeyOf(after[serviceKeySecret('collector')][SERVICE_KEY]),
    );
    for (const name of [OPERATOR_SECRET.name, serviceKeySecret('camera-agent'), serviceKeySecret('cpanel')])
      expect(after[name]).toEqual(first[name]);
    expect(out).toContain('restarting every Deployment so that its pods read the new values');
  });

  it('a stored value that is no credential is an error that names the Secret, and nothing is applied', async () => {
    expect(await commands(io([])).secrets([])).toBe(0);
    const s = stored();
    s[serviceKeySecret('cpanel')].data = { [SERVICE_KEY]: Buffer.from('not a key').toString('base64') };
    writeFileSync(storeFile(), JSON.stringify(s));
    writeFileSync(logFile(), '');
    await expect(commands(io([])).secrets([])).rejects.toThrow(
      /Secret airport-key-cpanel holds no Ed25519 AUTH_SERVICE_KEY.*rotate-secrets/,
    );
    expect(calls().filter((c) => c.args[0] === 'apply')).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------------ renders

const isOurs = (d: K8sObject) =>
  d.kind === 'Deployment' && d.spec?.template?.metadata?.labels?.['app.kubernetes.io/part-of'] === 'airport-mesh';
/** The app a Deployment runs: its image, airport-mesh/<app>[:tag]. */
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
function appOf(d: K8sObject): { app: string; env: EnvVar[] } {
  const c = (d.spec.template.spec.containers as { image: string; env?: EnvVar[] }[]).find((x) =>
    x.image.startsWith('airport-mesh/'),
  );
  if (!c) throw new Error(`${d.metadata?.name}: no airport-mesh container`);
  return { app: c.image.slice('airport-mesh/'.length).split(':')[0], env: c.env ?? [] };
}
/** What AUTH=app needs in a process of `app`: the platform's own table (credentialEnv), not a list here. */
const requiredUnderApp = (app: string) =>
  Object.keys(credentialEnv(newSystemCredentials(), app)).filter((k) => k !== 'AUTH');
const AUTH_VARIABLE = /^(AUTH_SERVICE_KEY|AUTH_PUBLIC_KEY_.*|OPERATOR_TOKEN)$/;

interface Resolved {
  name: string;
  app: string;
  env: Record<string, string>;
  mode: 'app' | 'mesh';
  problems: string[];
}

/** A Deployment's env with the AUTH Secrets' values the command applied (the last entry of a name wins, as in Kubernetes). */
function resolve(d: K8sObject, secrets: Record<string, Record<string, string>>): Resolved {
  const { app, env } = appOf(d);
  const name = d.metadata!.name!;
  const problems: string[] = [];
  const out: Record<string, string> = {};
  const from = new Map<string, string>();
  for (const e of env) {
    const ref = e.valueFrom?.secretKeyRef;
    if (ref && AUTH_SECRET_NAMES.includes(ref.name)) {
      const value = secrets[ref.name]?.[ref.key];
      if (value === undefined)
        problems.push(`${name}: ${e.name} from ${ref.name}/${ref.key}, which the command does not make`);
      else out[e.name] = value;
      if (ref.optional) problems.push(`${name}: ${e.name} from ${ref.name} is optional`);
      from.set(e.name, ref.name);
    } else if (AUTH_VARIABLE.test(e.name)) {
      problems.push(`${name}: ${e.name} is not read from a Secret the command makes`);
    } else if (e.value !== undefined) out[e.name] = e.value;
  }
  const mode = validateEnv(BaseEnv, out).AUTH;
  return { name, app, env: out, mode, problems };
}

describe('every render (real kubectl kustomize) against the Secrets the command applied', () => {
  let renders: Map<string, K8sObject[]>;
  let secrets: Record<string, Record<string, string>>;
  beforeAll(async () => {
    freshRecorder();
    expect(await commands(io([])).secrets([])).toBe(0);
    secrets = values();
    rmSync(dir, { recursive: true, force: true });
    renders = await renderAll();
  }, 240_000);

  const resolvedAll = () =>
    [...renders].map(([target, objects]) => ({
      target,
      objects,
      deployments: objects.filter(isOurs).map((d) => resolve(d, secrets)),
    }));

  it('each Deployment with AUTH=app reads every variable the platform requires of its app, from a Secret the command made, and nothing more; with AUTH=mesh no key Secret', () => {
    const problems: string[] = [];
    let app = 0;
    let mesh = 0;
    for (const { target, deployments } of resolvedAll()) {
      for (const r of deployments) {
        problems.push(...r.problems.map((p) => `${target}: ${p}`));
        const required = requiredUnderApp(r.app);
        const present = Object.keys(r.env).filter((k) => AUTH_VARIABLE.test(k));
        if (r.mode === 'app') {
          app++;
          for (const v of required)
            if (!r.env[v]) problems.push(`${target}: ${r.name} (${r.app}, AUTH=app) lacks ${v}`);
          for (const v of present)
            if (!required.includes(v))
              problems.push(`${target}: ${r.name} (${r.app}) reads ${v}, which it does not need`);
        } else {
          mesh++;
          // the operator credential is the application's check in both modes; no service keys under the mesh
          const operator: string[] = required.filter((v) => v === 'OPERATOR_TOKEN');
          for (const v of operator) if (!r.env[v]) problems.push(`${target}: ${r.name} (AUTH=mesh) lacks ${v}`);
          for (const v of present)
            if (!operator.includes(v)) problems.push(`${target}: ${r.name} (AUTH=mesh) reads ${v}`);
        }
        // the whole environment passes the env class (keys parse as Ed25519, token long enough)
        try {
          validateEnv(BaseEnv, r.env);
        } catch (e) {
          problems.push(`${target}: ${r.name}: ${(e as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(app).toBeGreaterThan(0);
    expect(mesh).toBeGreaterThan(0);
  });

  it('a render with Istio runs AUTH=mesh in every Deployment, one without AUTH=app in every Deployment (the plain overlay, blue-green, the plain test combinations)', () => {
    const modes = resolvedAll().map((r) => [
      r.target,
      r.objects.some((o) => (o.apiVersion ?? '').includes('istio.io')) ? 'mesh' : 'app',
      [...new Set(r.deployments.map((d) => d.mode))].join(','),
    ]);
    for (const [target, want, got] of modes) expect([target, got]).toEqual([target, want]);
    const byTarget = new Map(modes.map(([t, , got]) => [t, got]));
    expect(byTarget.get('deploy/overlays/plain')).toBe('app');
    expect(byTarget.get('deploy/scenarios/blue-green')).toBe('app');
    expect(byTarget.get('deploy/overlays/istio')).toBe('mesh');
    expect(byTarget.get('deploy/scenarios/default')).toBe('mesh');
    // what the deploy makes for each: the render's own reads
    expect(authSecretsReadBy(renders.get('deploy/overlays/plain')!)).toEqual([...AUTH_SECRET_NAMES]);
    expect(authSecretsReadBy(renders.get('deploy/overlays/istio')!)).toEqual([OPERATOR_SECRET.name]);
    expect(authSecretsReadBy(renders.get('deploy/scenarios/default')!)).toEqual([OPERATOR_SECRET.name]);
  });

  it("in every AUTH=app render, each receiver's Deployment verifies what its accepted callers' Deployments sign, and refuses the other callers", async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { target, deployments } of resolvedAll()) {
      const app = deployments.filter((r) => r.mode === 'app');
      for (const receiver of app) {
        const verifier = verifierFor(receiver.env, receiver.app);
        const accepted = ACCEPTED_CALLERS[receiver.app] ?? [];
        for (const caller of app.filter((c) => c.env.AUTH_SERVICE_KEY)) {
          const token = `Bearer ${await signCallerToken(caller.env.AUTH_SERVICE_KEY, caller.app, 'POST', '/write')}`;
          for (const allowed of accepted) {
            const result = (await verifier.checkCaller(token, 'POST', '/write', [allowed])).result;
            const want =
              caller.app === allowed ? 'ok' : accepted.includes(caller.app as Caller) ? 'forbidden' : 'invalid';
            if (result !== want)
              problems.push(
                `${target}: ${caller.name} → ${receiver.name} (allowed ${allowed}): ${result}, not ${want}`,
              );
            if (result === 'ok') checked++;
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(0);
  });
});

describe("the platform's table of who accepts whom", () => {
  it("is what the apps' controllers declare (@CallerOnly, @OperatorOrCaller, @OperatorOnly)", () => {
    const declared: Record<string, Set<string>> = {};
    const operator = new Set<string>();
    const walk = (d: string): string[] =>
      readdirSync(d).flatMap((e) =>
        statSync(join(d, e)).isDirectory() ? walk(join(d, e)) : e.endsWith('.ts') ? [join(d, e)] : [],
      );
    for (const app of readdirSync(join(root, 'apps'))) {
      const src = join(root, 'apps', app, 'src');
      try {
        statSync(src);
      } catch {
        continue;
      }
      for (const file of walk(src).filter((f) => !f.endsWith('.spec.ts'))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/@(CallerOnly|OperatorOrCaller|OperatorOnly)\(([^)]*)\)/g)) {
          if (m[1] !== 'CallerOnly') operator.add(app);
          for (const c of m[2].matchAll(/'([^']+)'/g)) (declared[app] ??= new Set()).add(c[1]);
        }
      }
    }
    const asLists = Object.fromEntries(Object.entries(declared).map(([a, s]) => [a, [...s].sort()]));
    expect(asLists).toEqual(Object.fromEntries(Object.entries(ACCEPTED_CALLERS).map(([a, l]) => [a, [...l].sort()])));
    expect([...operator].sort()).toEqual([...OPERATOR_APPS].sort());
  });
});
