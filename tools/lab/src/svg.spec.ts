import { escapeXml, groupedBars, niceMax, timeline } from './svg.js';

describe('svg charts', () => {
  it('picks round axis maxima and escapes text', () => {
    expect([niceMax(0), niceMax(0.8), niceMax(1623), niceMax(3124), niceMax(7)]).toEqual([1, 1, 2000, 5000, 10]);
    expect(escapeXml('a<b & "c">')).toBe('a&lt;b &amp; &quot;c&quot;&gt;');
  });

  it('draws one bar per experiment and mode, n/a for a missing value, and a legend', () => {
    const svg = groupedBars({
      title: 'Success <rate>',
      categories: ['sick-section', 'overload'],
      series: [
        { name: 'none', values: [0.68, 0] },
        { name: 'client', values: [1, null] },
      ],
      yMax: 1,
      yLabel: 'success',
      format: (v) => `${Math.round(v * 100)}%`,
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('Success &lt;rate&gt;');
    expect(svg.match(/<rect x=/g)?.length).toBe(3 + 2); // three bars and two legend swatches
    expect(svg).toContain('<title>sick-section · none: 68%</title>');
    expect(svg).toContain('>n/a<');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('draws a timeline with a dashed marker per event', () => {
    const svg = timeline({
      title: 'kill',
      series: [
        {
          name: 'none',
          points: [
            [0, 1],
            [1, 0.5],
            [2, 1],
          ],
        },
      ],
      markers: [{ x: 1.2, label: 'SIGKILL section-1', series: 'none' }],
      yMax: 1,
      yLabel: 'ok',
      xLabel: 's',
      format: (v) => String(v),
    });
    expect(svg).toContain('stroke-dasharray="4 3"><title>none: SIGKILL section-1</title>');
    expect(svg.match(/<circle /g)?.length).toBe(3);
  });
});
