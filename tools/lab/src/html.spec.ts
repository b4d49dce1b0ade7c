import { markdownToHtml, renderHtml } from './html.js';

describe('the HTML page', () => {
  const md = [
    '# Lab <report>',
    '',
    'Some **bold** and `code`.',
    '',
    '| a | b |',
    '| --- | ---: |',
    '| x<br>y | 1 |',
    '',
    '- one',
    '  - nested',
    '- two',
    '',
    '![A chart](a.svg)',
    '',
    '<!-- chart-note: b.svg -->',
    '*B chart: no histogram in A*',
  ].join('\n');
  const charts = {
    'a.svg': { title: 'A chart', svg: '<svg id="a"><rect width="1" height="1"/></svg>' },
    'b.svg': { title: 'B chart', note: 'no histogram in A' },
  };

  it('renders headings, tables, lists and inline marks, escaping the text', () => {
    const html = markdownToHtml(md, charts);
    expect(html).toContain('<h1 id="lab-report">Lab &lt;report&gt;</h1>');
    expect(html).toContain('<p>Some <strong>bold</strong> and <code>code</code>.</p>');
    expect(html).toContain('<td>x<br>y</td><td class="num">1</td>'.replace('</td><td', '</td>\n<td'));
    expect(html).toMatch(/<ul><li>\none\n<ul><li>\nnested\n<\/li><\/ul>\n<\/li><li>\ntwo\n<\/li><\/ul>/);
  });

  it('puts each chart inline, and the reason where a chart could not be drawn', () => {
    const page = renderHtml(md, charts);
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<title>Lab &lt;report&gt;</title>');
    expect(page).toContain('<figure class="chart" data-chart="a.svg"><svg id="a">');
    expect(page).toContain('data-note="b.svg"><figcaption>B chart: no histogram in A</figcaption></figure>\n</body>');
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });
});
