/**
 * Small, dependency-free SVG charts for the report: grouped bars (a metric per experiment and mode) and
 * timelines (a per-second series per mode, with events such as a SIGKILL marked).
 */

const PALETTE = ['#d1495b', '#2e86ab', '#edae49', '#66a182', '#8d6a9f', '#3d405b'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const fmt = (n: number) => (Math.round(n * 100) / 100).toString();

/** A "nice" upper bound for an axis: 1, 2, 2.5 or 5 × 10^k at or above `max`. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const exp = Math.pow(10, Math.floor(Math.log10(max)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * exp >= max) return m * exp;
  return 10 * exp;
}

export interface BarSeries {
  name: string;
  values: (number | null)[];
}

export function groupedBars(opts: {
  title: string;
  categories: string[];
  series: BarSeries[];
  yMax?: number;
  yLabel: string;
  format: (v: number) => string;
}): string {
  const width = Math.max(560, 120 + opts.categories.length * (40 + 34 * opts.series.length));
  const height = 340;
  const m = { top: 48, right: 20, bottom: 70, left: 70 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const dataMax = Math.max(0, ...opts.series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const yMax = opts.yMax ?? niceMax(dataMax);
  const y = (v: number) => m.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
  const groupW = plotW / Math.max(1, opts.categories.length);
  const barW = Math.min(34, (groupW - 16) / Math.max(1, opts.series.length));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(opts.title)}</text>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${m.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end" fill="#555">${escapeXml(opts.format(v))}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#555">${escapeXml(opts.yLabel)}</text>`,
  );
  opts.categories.forEach((cat, ci) => {
    const gx = m.left + ci * groupW + (groupW - barW * opts.series.length) / 2;
    opts.series.forEach((s, si) => {
      const v = s.values[ci];
      const x = gx + si * barW;
      if (v === null || v === undefined) {
        parts.push(
          `<text x="${fmt(x + barW / 2)}" y="${m.top + plotH - 4}" text-anchor="middle" fill="#999" font-size="10">n/a</text>`,
        );
        return;
      }
      const top = y(v);
      parts.push(
        `<rect x="${fmt(x + 2)}" y="${fmt(top)}" width="${fmt(barW - 4)}" height="${fmt(m.top + plotH - top)}" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeXml(`${cat} · ${s.name}: ${opts.format(v)}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${fmt(x + barW / 2)}" y="${fmt(top - 4)}" text-anchor="middle" font-size="10">${escapeXml(opts.format(v))}</text>`,
      );
    });
    parts.push(
      `<text x="${fmt(m.left + ci * groupW + groupW / 2)}" y="${m.top + plotH + 18}" text-anchor="middle">${escapeXml(cat)}</text>`,
    );
  });
  parts.push(
    `<line x1="${m.left}" x2="${width - m.right}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="#333"/>`,
  );
  opts.series.forEach((s, si) => {
    const lx = m.left + si * 110;
    parts.push(`<rect x="${lx}" y="${height - 24}" width="12" height="12" fill="${PALETTE[si % PALETTE.length]}"/>`);
    parts.push(`<text x="${lx + 18}" y="${height - 14}">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

export interface LineSeries {
  name: string;
  points: [number, number][];
}

export interface Marker {
  x: number;
  label: string;
  series: string;
}

export function timeline(opts: {
  title: string;
  series: LineSeries[];
  markers?: Marker[];
  yMax: number;
  yLabel: string;
  xLabel: string;
  format: (v: number) => string;
}): string {
  const width = 640;
  const height = 300;
  const m = { top: 48, right: 20, bottom: 64, left: 64 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const xMax = niceMax(Math.max(1, ...opts.series.flatMap((s) => s.points.map((p) => p[0]))));
  const x = (v: number) => m.left + (v / xMax) * plotW;
  const y = (v: number) => m.top + plotH - (Math.min(v, opts.yMax) / opts.yMax) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  parts.push(
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(opts.title)}</text>`,
  );
  for (let i = 0; i <= 4; i++) {
    const v = (opts.yMax * i) / 4;
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${m.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end" fill="#555">${escapeXml(opts.format(v))}</text>`,
    );
  }
  for (let i = 0; i <= 5; i++) {
    const v = (xMax * i) / 5;
    parts.push(`<text x="${fmt(x(v))}" y="${m.top + plotH + 16}" text-anchor="middle" fill="#555">${fmt(v)}</text>`);
  }
  parts.push(
    `<text x="${m.left + plotW / 2}" y="${m.top + plotH + 32}" text-anchor="middle" fill="#555">${escapeXml(opts.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(16 ${m.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#555">${escapeXml(opts.yLabel)}</text>`,
  );
  parts.push(
    `<line x1="${m.left}" x2="${width - m.right}" y1="${m.top + plotH}" y2="${m.top + plotH}" stroke="#333"/>`,
  );
  for (const mk of opts.markers ?? []) {
    const si = Math.max(
      0,
      opts.series.findIndex((s) => s.name === mk.series),
    );
    parts.push(
      `<line x1="${fmt(x(mk.x))}" x2="${fmt(x(mk.x))}" y1="${m.top}" y2="${m.top + plotH}" stroke="${PALETTE[si % PALETTE.length]}" stroke-dasharray="4 3"><title>${escapeXml(`${mk.series}: ${mk.label}`)}</title></line>`,
    );
  }
  opts.series.forEach((s, si) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${fmt(x(p[0]))} ${fmt(y(p[1]))}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${PALETTE[si % PALETTE.length]}" stroke-width="2"/>`);
    for (const p of s.points)
      parts.push(
        `<circle cx="${fmt(x(p[0]))}" cy="${fmt(y(p[1]))}" r="2.5" fill="${PALETTE[si % PALETTE.length]}"><title>${escapeXml(`${s.name} t=${p[0]}s: ${opts.format(p[1])}`)}</title></circle>`,
      );
  });
  opts.series.forEach((s, si) => {
    const lx = m.left + si * 110;
    parts.push(`<rect x="${lx}" y="${height - 22}" width="12" height="12" fill="${PALETTE[si % PALETTE.length]}"/>`);
    parts.push(`<text x="${lx + 18}" y="${height - 12}">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
