/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core), served by real cpanel
 * v1 and v2 processes that read through real section, alerts and camera-agent processes. The test posts
 * an analysis and an alert to cpanel as the collector would, and sees them appear without a reload; it
 * starts and stops a camera from the page; screenshots go to test-artifacts/cpanel/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { credentialEnv, newSystemCredentials, signCallerToken } from '@airport-mesh/platform/keys';
import { chromiumLaunchOptions, startTestProcess, type TestProcess } from '@airport-mesh/platform/testing';

const TIMEOUT = 180_000;

const apps = resolve(import.meta.dirname, '../..');
const main = (app: string) => join(apps, app, 'dist/main.js');
const artifacts = resolve(apps, '../test-artifacts/cpanel');
const sample = readFileSync(
  join(dirname(createRequire(import.meta.url).resolve('@vladmandic/face-api/package.json')), 'demo/sample1.jpg'),
);

const PORTS = {
  section1: 18_685,
  section2: 18_686,
  alerts: 18_684,
  camera1: 18_691,
  camera2: 18_692,
  v1: 18_680,
  v2: 18_690,
};
const CLOSED = 'http://127.0.0.1:9'; // nothing listens there: the collector and the analysers are not part of this test

/** Every process runs with AUTH=app and its own credentials; the test writes as the collector would, signed. */
const creds = newSystemCredentials();
const json = async (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await signCallerToken(creds.keys.collector.privateKey, 'collector', 'POST', new URL(url).pathname)}`,
    },
    body: JSON.stringify(body),
  });

/** Three faces of sample1.jpg (1920×1280), the third one a person of interest. */
const faces = [
  {
    box: { x: 400, y: 350, width: 220, height: 250 },
    score: 0.98,
    gender: 'female',
    genderScore: 0.93,
    age: 27.4,
    ageRange: '25-32',
  },
  {
    box: { x: 820, y: 420, width: 190, height: 250 },
    score: 0.95,
    gender: 'female',
    genderScore: 0.88,
    age: 23.1,
    ageRange: '20-25',
  },
  {
    box: { x: 1450, y: 200, width: 240, height: 250 },
    score: 0.97,
    gender: 'male',
    genderScore: 0.61,
    age: 40.2,
    ageRange: '38-43',
  },
];
const match = { personId: 'p-42', name: 'PersonX', similarity: 0.83, box: faces[2].box };

describe('the cpanel dashboard in Chromium', () => {
  let dir: string;
  let browser: Browser;
  const processes: TestProcess[] = [];
  let seq = Date.now() - 5 * 60_000;

  /** One frame as the collector handles it: statistics to the section, then the analysis to cpanel. */
  async function frame(cpanel: string, event: 'entry' | 'exit', withImage: boolean, frameFaces = faces) {
    seq += 4000;
    const base = { frameId: `2:${seq}`, cameraId: '2', section: '1', event, timestamp: new Date(seq).toISOString() };
    const stored = await json(`http://127.0.0.1:${PORTS.section1}/statistics`, {
      ...base,
      personCount: frameFaces.length,
      faces: frameFaces.map(({ gender, age, ageRange }) => ({ gender, age, ageRange })),
    });
    expect(stored.status).toBe(201);
    const pushed = await json(`${cpanel}/analysis`, {
      ...base,
      personCount: frameFaces.length,
      faces: frameFaces,
      matches: frameFaces.includes(faces[2]) ? [match] : [],
      ...(withImage ? { image: sample.toString('base64') } : {}),
    });
    expect(pushed.status).toBe(200);
    return base;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cpanel-browser-'));
    mkdirSync(artifacts, { recursive: true });
    const camerasFile = join(dir, 'cameras.json');
    writeFileSync(
      camerasFile,
      JSON.stringify({
        cameras: [
          {
            id: 1,
            description: 'exit camera section 1',
            url: `http://127.0.0.1:${PORTS.camera1}`,
            section: 1,
            type: 'exit',
          },
          {
            id: 2,
            description: 'entry camera section 1',
            url: `http://127.0.0.1:${PORTS.camera2}`,
            section: 1,
            type: 'entry',
          },
        ],
      }),
    );
    const started = await Promise.all([
      startTestProcess(main('section'), PORTS.section1, {
        ...credentialEnv(creds, 'section'),
        SECTION_ID: '1',
        DB_PATH: join(dir, 's1.db'),
      }),
      startTestProcess(main('section'), PORTS.section2, {
        ...credentialEnv(creds, 'section'),
        SECTION_ID: '2',
        DB_PATH: join(dir, 's2.db'),
      }),
      startTestProcess(main('alerts'), PORTS.alerts, {
        ...credentialEnv(creds, 'alerts'),
        DB_PATH: join(dir, 'alerts.db'),
      }),
      startTestProcess(main('camera-agent'), PORTS.camera1, {
        ...credentialEnv(creds, 'camera-agent'),
        CAMERA_ID: '1',
        CAMERA_SECTION: '1',
        CAMERA_EVENT: 'exit',
        COLLECTOR_URL: CLOSED,
        CAMERA_RETRIES: '0',
      }),
      startTestProcess(main('camera-agent'), PORTS.camera2, {
        ...credentialEnv(creds, 'camera-agent'),
        CAMERA_ID: '2',
        CAMERA_SECTION: '1',
        CAMERA_EVENT: 'entry',
        COLLECTOR_URL: CLOSED,
        CAMERA_RETRIES: '0',
      }),
    ]);
    processes.push(...started);

    // What the pipeline stored before the dashboards started: they must show it (read-through).
    for (let i = 0; i < 14; i += 1) {
      seq += 3000;
      const event = i % 3 === 2 ? 'exit' : 'entry';
      const people = (i % 4) + 1;
      const cameraId = event === 'exit' ? '1' : '2';
      const res = await json(`http://127.0.0.1:${PORTS.section1}/statistics`, {
        frameId: `${cameraId}:${seq}`,
        cameraId,
        section: '1',
        event,
        timestamp: new Date(seq).toISOString(),
        personCount: people,
        faces: Array.from({ length: people }, (_, k) => ({
          gender: k % 2 ? 'female' : 'male',
          age: 18 + ((i * 7 + k * 13) % 55),
          ageRange: '25-32',
        })),
      });
      expect(res.status).toBe(201);
    }
    expect(
      (
        await json(`http://127.0.0.1:${PORTS.alerts}/alerts`, {
          frameId: `1:${seq}`,
          cameraId: '1',
          section: '1',
          event: 'exit',
          timestamp: new Date(seq).toISOString(),
          personId: 'p-7',
          name: 'George W',
          similarity: 0.91,
        })
      ).status,
    ).toBe(201);

    const env = {
      ...credentialEnv(creds, 'cpanel'),
      CAMERAS_FILE: camerasFile,
      SECTION_URLS: `1=http://127.0.0.1:${PORTS.section1},2=http://127.0.0.1:${PORTS.section2}`,
      ALERTS_URL: `http://127.0.0.1:${PORTS.alerts}`,
      COLLECTOR_URL: CLOSED,
      IMAGE_ANALYSIS_URL: CLOSED,
      FACE_RECOGNITION_URL: CLOSED,
      UPSTREAM_TIMEOUT_MS: '800',
      REFRESH_INTERVAL_MS: '1000',
    };
    const cpanels = await Promise.all([
      startTestProcess(main('cpanel'), PORTS.v1, { ...env, VERSION: 'v1' }),
      startTestProcess(main('cpanel'), PORTS.v2, { ...env, VERSION: 'v2' }),
    ]);
    processes.push(...cpanels);
    browser = await chromium.launch(chromiumLaunchOptions());
  }, TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(processes.map((p) => p.kill()));
    rmSync(dir, { recursive: true, force: true });
  }, TIMEOUT);

  async function open(
    url: string,
    options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number; signIn?: boolean } = {},
  ): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1440, height: options.height ?? 1000 },
      colorScheme: options.colorScheme ?? 'light',
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    page.on(
      'requestfailed',
      (r) =>
        !r.url().includes('/events') &&
        problems.push(`request failed: ${r.method()} ${r.url()} (${r.failure()?.errorText ?? 'no reason'})`),
    );
    (page as Page & { problems: string[] }).problems = problems;
    if (options.signIn ?? true) {
      // The operator signs in on the sign-in page with the token `npm start` prints.
      await page.goto(`${url}/login`);
      await page.getByLabel('Operator token').fill(creds.operatorToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${url}/`);
      await page.getByRole('link', { name: 'Sign out' }).waitFor({ timeout: 10_000 });
    } else {
      await page.goto(url);
    }
    await page.locator('#conn[data-state="live"]').waitFor({ timeout: 10_000 });
    // Marks this document: if the page reloaded, the mark would be gone.
    await page.evaluate(() => ((window as unknown as { __noReload: boolean }).__noReload = true));
    return page;
  }

  const notReloaded = (page: Page) =>
    page.evaluate(() => (window as unknown as { __noReload?: boolean }).__noReload === true);
  const problemsOf = (page: Page) => (page as Page & { problems: string[] }).problems;

  async function accessible(page: Page) {
    for (const role of ['banner', 'main', 'complementary', 'contentinfo'] as const)
      await expect(page.getByRole(role).count()).resolves.toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).count()).toBe(1);
    // Every button and image has a name; nothing is unlabelled.
    const unnamed = await page.evaluate(() =>
      [...document.querySelectorAll('button, img, a')]
        .filter((el) => !(el.getAttribute('aria-label') || el.getAttribute('alt') || el.textContent?.trim()))
        .map((el) => el.outerHTML),
    );
    expect(unnamed).toEqual([]);
    expect(await page.locator('[aria-live]').count()).toBeGreaterThanOrEqual(2);
  }

  /**
   * Clicks a camera button and waits until its request has finished: the button can change with the
   * pushed camera event before the page has read the POST's answer, and leaving the page then would
   * abort that request.
   */
  async function clickCameraAction(page: Page, id: string, action: 'start' | 'stop') {
    const finished = page.waitForEvent('requestfinished', {
      predicate: (r) => r.method() === 'POST' && r.url().endsWith(`/cameras/${id}/${action}`),
      timeout: 10_000,
    });
    const name = `${action === 'start' ? 'Start' : 'Stop'} camera ${id}`;
    await page.locator(`#camera-${id}`).getByRole('button', { name }).click();
    await finished;
  }

  async function cameraClick(page: Page, id: string) {
    const camera = page.locator(`#camera-${id}`);
    await expect(camera.getByRole('button', { name: `Start camera ${id}` }).isVisible()).resolves.toBe(true);
    await clickCameraAction(page, id, 'start');
    await camera.getByRole('button', { name: `Stop camera ${id}` }).waitFor({ timeout: 10_000 });
    await expect(camera.locator('[data-camera-state]').textContent()).resolves.toMatch(/^Streaming · 2 fps/);
    const state = (await (
      await fetch(`http://127.0.0.1:${id === '1' ? PORTS.camera1 : PORTS.camera2}/state`)
    ).json()) as { streaming: boolean };
    expect(state.streaming).toBe(true);
  }

  async function cameraStop(page: Page, id: string) {
    const camera = page.locator(`#camera-${id}`);
    await clickCameraAction(page, id, 'stop');
    await camera.getByRole('button', { name: `Start camera ${id}` }).waitFor({ timeout: 10_000 });
    await expect(camera.locator('[data-camera-state]').textContent()).resolves.toMatch(/^Stopped/);
  }

  it(
    'signed out: the views are open, camera control leads to the sign-in, a wrong token is refused',
    async () => {
      const url = `http://127.0.0.1:${PORTS.v1}`;
      const page = await open(url, { signIn: false });
      await expect(page.getByRole('link', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
      await page.locator('#camera-1').getByRole('button', { name: 'Start camera 1' }).click();
      await page.waitForURL(`${url}/login`);
      const state = (await (await fetch(`http://127.0.0.1:${PORTS.camera1}/state`)).json()) as { streaming: boolean };
      expect(state.streaming).toBe(false);
      await page.getByLabel('Operator token').fill('not-the-token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('wrong operator credential').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: join(artifacts, 'sign-in-refused.png'), fullPage: true });
      expect(problemsOf(page).filter((p) => !/401/.test(p))).toEqual([]);
      await page.context().close();
    },
    TIMEOUT,
  );

  it(
    'v1 shows the stored statistics and alert after a start, then a pushed analysis and alert live, and starts a camera',
    async () => {
      const url = `http://127.0.0.1:${PORTS.v1}`;
      const page = await open(url);
      await accessible(page);
      const section1 = page.locator('#section-1');
      // Read through from the section and alerts services on start.
      await expect(section1.locator('.kpi').first().textContent()).resolves.toMatch(/Occupancy/);
      await expect(page.locator('#alert-body').textContent()).resolves.toMatch(/name: George W/);
      await page.screenshot({ path: join(artifacts, 'v1-start.png'), fullPage: true });

      const base = await frame(url, 'exit', false);
      await section1.getByText('gender: male | age: 38-43 | event: exit').waitFor({ timeout: 10_000 });
      await section1.getByText(`timestamp: ${base.timestamp}`).waitFor();
      expect(await page.locator('.photo').count()).toBe(0); // v1: no photo

      const alert = { ...base, personId: 'p-42', name: 'PersonX', similarity: 0.83, box: faces[2].box };
      expect((await json(`${url}/alert`, alert)).status).toBe(200);
      await page.locator('#alert-body').getByText('PersonX').waitFor({ timeout: 10_000 });
      await expect(page.locator('#alert-body').textContent()).resolves.toMatch(
        new RegExp(`timestamp: ${base.timestamp}.*section: 1.*event: exit`, 's'),
      );

      await cameraClick(page, '1');
      await page.screenshot({ path: join(artifacts, 'v1-live.png'), fullPage: true });
      await cameraStop(page, '1');
      expect(await notReloaded(page)).toBe(true);
      // Signing out leads to the sign-in page, and the session is gone.
      await page.getByRole('link', { name: 'Sign out' }).click();
      await page.waitForURL(`${url}/login`);
      expect(await page.evaluate(() => fetch('/session').then((r) => r.json()))).toEqual({ signedIn: false });
      expect(problemsOf(page)).toEqual([]);
      await page.context().close();
    },
    TIMEOUT,
  );

  it(
    'v2 adds the photo with faces and names, and charts, all live; light, dark and narrow screens',
    async () => {
      const url = `http://127.0.0.1:${PORTS.v2}`;
      const page = await open(url);
      await accessible(page);
      const section1 = page.locator('#section-1');
      await section1.locator('[data-part="charts"] svg[role="img"]').first().waitFor();
      await expect(section1.locator('#occ-1-cap').textContent()).resolves.toMatch(/now \d+/); // history read through from section 1
      await page.screenshot({ path: join(artifacts, 'v2-start.png'), fullPage: true });

      const base = await frame(url, 'entry', true);
      const photo = section1.locator('.photo img');
      await photo.waitFor({ timeout: 10_000 });
      await expect(photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).resolves.toBe(1920);
      expect(await section1.locator('.overlay .face-box').count()).toBe(3);
      expect(await section1.locator('.overlay .match-box').count()).toBe(1);
      await expect(section1.locator('.overlay').textContent()).resolves.toMatch(
        /female · 25-32.*female · 20-25.*male · 38-43.*PersonX 83%/s,
      );
      await section1.getByText('gender: female | age: 20-25 | event: entry').waitFor();
      await section1.getByText(`timestamp: ${base.timestamp}`).waitFor();

      expect(
        (await json(`${url}/alert`, { ...base, personId: 'p-42', name: 'PersonX', similarity: 0.83 })).status,
      ).toBe(200);
      await page.locator('#alert-body').getByText('PersonX').waitFor({ timeout: 10_000 });

      await cameraClick(page, '2');
      // Occupancy follows the section's totals (read again after the push).
      await section1
        .locator('[data-part="kpis"]')
        .getByText(/entries − exits/)
        .waitFor();
      await page.waitForTimeout(1500);
      await page.screenshot({ path: join(artifacts, 'v2-live.png'), fullPage: true });
      await cameraStop(page, '2');
      expect(await notReloaded(page)).toBe(true);
      expect(problemsOf(page)).toEqual([]);
      await page.context().close();

      const dark = await open(url, { colorScheme: 'dark' });
      await dark.locator('#section-1 .photo img').waitFor();
      await dark.waitForTimeout(500);
      await dark.screenshot({ path: join(artifacts, 'v2-dark.png'), fullPage: true });
      await dark.context().close();

      const phone = await open(url, { width: 390, height: 844 });
      await phone.locator('#section-1 .photo img').waitFor();
      // Nothing wider than the screen.
      expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await phone.screenshot({ path: join(artifacts, 'v2-phone.png'), fullPage: true });
      await phone.context().close();
    },
    TIMEOUT,
  );
});
