/** `npx nx run fuzz:long`: the long fuzz run; writes results/fuzz/report.{json,md}; exit 1 on any failure. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type FuzzReport, reportMarkdown, runFuzz } from './runner.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20261130' },
    report: { type: 'string', default: 'results/fuzz' },
    service: { type: 'string', multiple: true },
  },
});
const dir = resolve(values.report);
mkdirSync(dir, { recursive: true });
const write = (report: FuzzReport) => {
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(dir, 'report.md'), reportMarkdown(report));
};
const report = await runFuzz({
  onProgress: write,
  requestsPerService: Number(values.requests),
  seed: Number(values.seed),
  services: values.service,
  log: (line) => console.log(line),
});
write(report);
console.log(`report: ${join(dir, 'report.md')}`);
const bad = report.services.some(
  (s) => s.serverErrors || s.missingProblemBodies || s.storedWhenRefused || s.processExits,
);
process.exit(bad ? 1 : 0);
