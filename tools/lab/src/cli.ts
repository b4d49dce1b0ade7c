#!/usr/bin/env node
// The resilience lab's command line: see USAGE in cli-main.ts, or run with --help.
import { runCli } from './cli-main.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
  });
} catch (err) {
  process.stderr.write(`lab: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
}
