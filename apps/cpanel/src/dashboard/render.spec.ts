import { ageChart, alertBody, cameraItem, esc, faceLine, latest, occupancyChart, photo } from './render.js';

const now = Date.parse('2026-01-05T10:00:10Z');

describe('the dashboard renderer', () => {
  it('writes the latest statistics exactly as the seeds\' "Dashboard V1"', () => {
    expect(faceLine({ gender: 'male', ageRange: '38-43' }, 'exit')).toBe('gender: male | age: 38-43 | event: exit');
    expect(faceLine({ age: 40.6 }, 'entry')).toBe('gender: unknown | age: 41 | event: entry');
    const html = latest(
      {
        frameId: '1:5',
        cameraId: '1',
        event: 'exit',
        timestamp: '2026-01-05T10:00:00.000Z',
        personCount: 0,
        faces: [],
        matches: [],
      },
      now,
    );
    expect(html).toContain('timestamp: <time datetime="2026-01-05T10:00:00.000Z">2026-01-05T10:00:00.000Z</time>');
    expect(html).toContain('10 s ago');
    expect(html).toContain('no faces | people: 0 | event: exit');
  });

  it('writes the alert as the seeds do: timestamp, section, event, name', () => {
    const html = alertBody(
      {
        frameId: '1:5',
        cameraId: '1',
        section: '1',
        event: 'entry',
        timestamp: '2026-01-05T10:00:00.000Z',
        name: 'PersonX',
        similarity: 0.834,
      },
      now,
    );
    expect(html).toContain('name: <strong>PersonX</strong>');
    expect(html).toContain('section: <strong>1</strong>');
    expect(html).toContain('event: <strong>entry</strong>');
    expect(html).toContain('similarity 83%');
  });

  it('escapes everything that comes from data', () => {
    expect(esc('<img src=x onerror="a">&\'')).toBe('&lt;img src=x onerror=&quot;a&quot;&gt;&amp;&#39;');
    const html = alertBody(
      {
        frameId: '1:5',
        cameraId: '1',
        section: '1',
        event: 'entry',
        timestamp: '2026-01-05T10:00:00.000Z',
        name: '<script>x</script>',
        similarity: 0.5,
      },
      now,
    );
    expect(html).not.toContain('<script>');
    const camera = cameraItem({
      id: '1',
      description: '"><b>',
      url: 'http://x',
      section: '1',
      type: 'exit',
      state: null,
      error: null,
    });
    expect(camera).not.toContain('"><b>');
  });

  it("draws face boxes and names over the photo in the photo's own pixels", () => {
    const html = photo({
      url: '/analysis/1/photo?frame=1%3A5',
      width: 1920,
      height: 1280,
      frameId: '1:5',
      cameraId: '1',
      event: 'exit',
      timestamp: '2026-01-05T10:00:00.000Z',
      faces: [{ box: { x: 10, y: 20, width: 30, height: 40 }, gender: 'female', ageRange: '20-25' }],
      matches: [{ personId: 'p', name: 'PersonX', similarity: 0.9, box: { x: 10, y: 20, width: 30, height: 40 } }],
    });
    expect(html).toContain('viewBox="0 0 1920 1280"');
    expect(html).toContain('<rect class="face-box" x="10" y="20" width="30" height="40"');
    expect(html).toContain('female · 20-25');
    expect(html).toContain('PersonX 90%');
    expect(html).toMatch(/alt="Frame 1:5 of camera 1 \(exit\) at 10:00:00 UTC: 1 face"/);
  });

  it('labels the occupancy axis with real values, also below zero, and the age axis with the band of ages', () => {
    const occupancy = occupancyChart('1', [
      { t: '2026-01-05T10:00:00Z', v: -3 },
      { t: '2026-01-05T10:00:05Z', v: -12 },
    ]);
    expect(occupancy).toContain('now -12, peak -3');
    expect(occupancy).toMatch(/text-anchor="end">-12<\/text>/);
    const ages = ageChart('1', [
      { t: '2026-01-05T10:00:00Z', age: 21, gender: 'female' },
      { t: '2026-01-05T10:00:05Z', age: 37, gender: 'male' },
    ]);
    expect(ages).toContain('2 faces, mean 29.0 years');
    expect(ages).toMatch(/text-anchor="end">10<\/text>/);
    expect(ages).toMatch(/text-anchor="end">50<\/text>/);
    expect(occupancyChart('2', [])).toContain('Waiting for frames');
  });
});
