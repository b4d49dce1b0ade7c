#!/usr/bin/env node
// The load generator's command line: see USAGE in cli-main.ts, or run with --help.
import { runCli } from './cli-main.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`loadgen: ${signal}, stopping the schedule; in-flight requests finish\n`);
    controller.abort();
  });
}

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    signal: controller.signal,
  });
} catch (err) {
  process.stderr.write(`loadgen: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
}
