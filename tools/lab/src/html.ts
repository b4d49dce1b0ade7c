/**
 * The self-contained HTML page beside report.md (and comparison.md): the same Markdown, rendered
 * (headings, tables, lists, bold, code), with each chart image replaced by its SVG inline. No script,
 * no stylesheet or font from elsewhere: it opens offline, from a file, in any browser.
 */
import type { ChartOrNote } from './charts.js';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Bold, code and the `<br>` of table cells, on escaped text. */
function inline(text: string): string {
  return escapeHtml(text)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*(?=$|[\s).,;:])/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>')
    .replace(/&lt;br&gt;/g, '<br>');
}

function figure(file: string, chart: ChartOrNote | undefined): string {
  if (!chart) return `<p class="note">chart ${escapeHtml(file)} missing</p>`;
  if ('note' in chart)
    return `<figure class="chart-note" data-note="${escapeHtml(file)}"><figcaption>${escapeHtml(chart.title)}: ${escapeHtml(chart.note)}</figcaption></figure>`;
  return `<figure class="chart" data-chart="${escapeHtml(file)}">${chart.svg}</figure>`;
}

const cells = (row: string) =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());

/** The subset of Markdown the lab writes, to HTML; `![x](file.svg)` becomes the chart `file.svg` inline. */
export function markdownToHtml(markdown: string, charts: Record<string, ChartOrNote>): string {
  const out: string[] = [];
  const lines = markdown.split('\n');
  const list: number[] = []; // open <ul> indents
  const closeLists = (to = -1) => {
    while (list.length && list[list.length - 1] > to) {
      out.push('</li></ul>');
      list.pop();
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heading = /^(#{1,4}) (.*)$/.exec(line);
    const item = /^(\s*)- (.*)$/.exec(line);
    const image = /^!\[[^\]]*\]\(([^)]+)\)$/.exec(line.trim()) ?? /^<!-- chart-note: (\S+) -->$/.exec(line.trim());
    if (!item) closeLists();
    if (heading) {
      const id = heading[2]
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '');
      out.push(`<h${heading[1].length} id="${id}">${inline(heading[2])}</h${heading[1].length}>`);
    } else if (item) {
      const indent = item[1].length;
      if (!list.length || indent > list[list.length - 1]) {
        out.push('<ul><li>');
        list.push(indent);
      } else {
        closeLists(indent);
        out.push('</li><li>');
      }
      out.push(inline(item[2]));
    } else if (line.startsWith('|') && lines[i + 1]?.startsWith('| ---')) {
      const head = cells(line);
      const align = cells(lines[i + 1]).map((c) => (c.endsWith(':') ? ' class="num"' : ''));
      out.push('<table><thead><tr>', ...head.map((h, k) => `<th${align[k]}>${inline(h)}</th>`), '</tr></thead><tbody>');
      i += 2;
      for (; i < lines.length && lines[i].startsWith('|'); i++)
        out.push('<tr>', ...cells(lines[i]).map((c, k) => `<td${align[k] ?? ''}>${inline(c)}</td>`), '</tr>');
      i--;
      out.push('</tbody></table>');
    } else if (image) {
      out.push(figure(image[1], charts[image[1]]));
      if (line.startsWith('<!--')) i++; // the note's Markdown sentence, shown by the figure
    } else if (line.trim() !== '') {
      out.push(`<p>${inline(line)}</p>`);
    }
  }
  closeLists();
  return out.join('\n');
}

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:1em 0;font-size:.85em}th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}
th{background:#f3f3f3}td.num,th.num{text-align:right}code{background:#f4f4f4;padding:0 .2em}
figure.chart{margin:1em 0;overflow-x:auto}figure.chart-note{margin:1em 0;padding:.5em;border:1px dashed #bbb;color:#555}
h1{font-size:1.6em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
`;

export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A Markdown report and its charts as one self-contained HTML page. */
export function renderHtml(markdown: string, charts: Record<string, ChartOrNote>): string {
  const title = /^# (.*)$/m.exec(markdown)?.[1] ?? 'Resilience lab';
  return htmlPage(title, markdownToHtml(markdown, charts));
}
