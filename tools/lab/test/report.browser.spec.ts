// The HTML report in a real Chromium: the report of a real short lab run made here (two experiments,
// real stacks on ports +12000, raw histograms), the committed older run (no histograms) and the
// comparison of the two; every chart the code drew must be in the page as an inline SVG with visible
// marks, with no console error and no request leaving the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromiumLaunchOptions } from '@airport-mesh/platform/testing';
import { REPO_ROOT } from '@airport-mesh/local-stack';
import { type Browser, chromium } from 'playwright-core';
import { readResult, runCli } from '../src/cli-main.js';
import { buildCharts, buildComparisonCharts, writeComparison, writeReport } from '../src/report.js';
import type { ChartOrNote } from '../src/charts.js';

const OLD = 'results/2026-11-21-local'; // recorded before histograms were saved
const EXPERIMENTS = ['sick-section', 'kill-section']; // a chaos fault for the whole load, and a SIGKILL with its restart

let browser: Browser;
let dir: string;
let fresh: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lab-html-'));
  let stderr = '';
  const code = await runCli(
    ['run', '--short', '--only', EXPERIMENTS.join(','), '--port-offset', '12000', '--out', dir, '--name', 'fresh'],
    { out: () => undefined, err: (t) => (stderr += t), env: process.env },
  );
  if (code !== 0 && code !== 3) throw new Error(`lab run exited ${code}: ${stderr}`);
  fresh = join(dir, 'fresh');
  browser = await chromium.launch(chromiumLaunchOptions());
}, 280_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Seen {
  charts: { file: string; width: number; height: number; marks: number; visibleMarks: number }[];
  notes: string[];
  errors: string[];
  requests: string[];
  headings: string[];
}

async function open(file: string): Promise<Seen> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const seen = await page.evaluate(() => ({
      charts: [...document.querySelectorAll('figure.chart')].map((f) => {
        const svg = f.querySelector(':scope > svg') as SVGSVGElement | null;
        const box = svg?.getBoundingClientRect();
        const marks = svg ? [...svg.querySelectorAll('.role-mark > *')] : [];
        return {
          file: f.getAttribute('data-chart') ?? '',
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          marks: marks.length,
          visibleMarks: marks.filter((m) => {
            const b = (m as SVGGraphicsElement).getBBox();
            return b.width > 0 || b.height > 0;
          }).length,
        };
      }),
      notes: [...document.querySelectorAll('figure.chart-note')].map((f) => f.textContent ?? ''),
      headings: [...document.querySelectorAll('h2')].map((h) => h.textContent ?? ''),
    }));
    return { ...seen, errors, requests };
  } finally {
    await page.close();
  }
}

const drawn = (charts: Record<string, ChartOrNote>) =>
  Object.entries(charts)
    .filter(([, c]) => 'svg' in c)
    .map(([f]) => f)
    .sort();

function expectEveryChartRendered(seen: Seen, expected: string[]) {
  expect(seen.errors).toEqual([]);
  expect(seen.requests).toEqual([]);
  expect(seen.charts.map((c) => c.file).sort()).toEqual(expected);
  for (const c of seen.charts) {
    expect({ file: c.file, sized: c.width > 100 && c.height > 50 }).toEqual({ file: c.file, sized: true });
    expect({ file: c.file, marks: c.visibleMarks > 0 }).toEqual({ file: c.file, marks: true });
  }
}

describe('the HTML report in Chromium', () => {
  it('a real short run: every chart drawn, percentile curves from its histograms, the offload table', async () => {
    const result = readResult(fresh);
    expect(result.runs.filter((r) => r.load?.latencyHistogram).length).toBe(EXPERIMENTS.length * 2);
    const expected = drawn(await buildCharts(result));
    for (const name of EXPERIMENTS) {
      expect(expected).toContain(`timeline-${name}.svg`);
      expect(expected).toContain(`percentiles-${name}.svg`);
    }
    const seen = await open(join(fresh, 'report.html')); // as the lab wrote it
    expectEveryChartRendered(seen, expected);
    expect(seen.notes).toEqual([]);
    expect(seen.headings).toContain('What the mesh takes off the application');
  }, 120_000);

  it('the older run: the charts it can have, and a note instead of percentile curves', async () => {
    const result = readResult(join(REPO_ROOT, OLD));
    await writeReport(join(dir, 'old'), result, REPO_ROOT);
    const charts = await buildCharts(result);
    const seen = await open(join(dir, 'old', 'report.html'));
    expectEveryChartRendered(seen, drawn(charts));
    expect(seen.notes.length).toBeGreaterThan(0);
    for (const n of seen.notes) expect(n).toContain('no histogram in none, client');
  }, 120_000);

  it('lab compare of the two: deltas and the same charts, "no histogram in A" where A has none', async () => {
    const a = { label: 'old', result: readResult(join(REPO_ROOT, OLD)) };
    const b = { label: 'fresh', result: readResult(fresh) };
    const markdown = await writeComparison(join(dir, 'cmp'), a, b);
    expect(markdown).toContain('no histogram in A');
    const seen = await open(join(dir, 'cmp', 'comparison.html'));
    const charts = await buildComparisonCharts(a, b);
    expectEveryChartRendered(seen, drawn(charts));
    expect(drawn(charts).filter((f) => f.startsWith('compare-percentiles-')).length).toBeGreaterThan(0);
  }, 120_000);
});
