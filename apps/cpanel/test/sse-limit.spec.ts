/** cpanel's live updates: at most SSE_MAX_CONNECTIONS open streams; one more is a 503 problem, and a slot frees when one closes. */
import { startTestService, type TestService } from '@airport-mesh/platform/testing';
import { cpanelService } from '../src/service.js';

const CLOSED = 'http://127.0.0.1:9';

describe('cpanel GET /events connection cap', () => {
  let cpanel: TestService;
  beforeAll(async () => {
    cpanel = await startTestService(cpanelService, {
      SSE_MAX_CONNECTIONS: '2',
      SECTION_URLS: `1=${CLOSED}`,
      ALERTS_URL: CLOSED,
      COLLECTOR_URL: CLOSED,
      IMAGE_ANALYSIS_URL: CLOSED,
      FACE_RECOGNITION_URL: CLOSED,
      UPSTREAM_TIMEOUT_MS: '200',
      REFRESH_INTERVAL_MS: '0',
    });
  });
  afterAll(() => cpanel?.close());

  it('serves two streams, answers the third with 503, and serves again after one closes', async () => {
    const open = () => {
      const controller = new AbortController();
      return fetch(`${cpanel.url}/events`, { signal: controller.signal }).then((res) => ({ res, controller }));
    };
    const first = await open();
    const second = await open();
    expect([first.res.status, second.res.status]).toEqual([200, 200]);
    const third = await fetch(`${cpanel.url}/events`);
    expect(third.status).toBe(503);
    expect(third.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await third.json()).toMatchObject({
      status: 503,
      detail: expect.stringMatching(/too many open dashboards/),
    });
    first.controller.abort();
    let again = 503;
    for (let i = 0; i < 50 && again !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const attempt = await open();
      again = attempt.res.status;
      if (again === 200) attempt.controller.abort();
      else await attempt.res.arrayBuffer();
    }
    expect(again).toBe(200);
    second.controller.abort();
  });
});
