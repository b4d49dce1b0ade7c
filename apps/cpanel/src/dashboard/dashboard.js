// The dashboard in the browser: keeps the server-rendered page live over SSE (GET /events) with the same
// renderer as the server (render.js), and drives the camera buttons. No framework, no build step.
import {
  ago,
  alertBody,
  cameraItem,
  cameraList,
  charts,
  healthList,
  kpis,
  latest,
  photo,
  sectionCard,
} from './render.js';

const MAX_OCCUPANCY_POINTS = 360;
const MAX_AGE_POINTS = 400;

const state = {
  /** @type {any} */ snapshot: null,
  v2: document.body.dataset.version !== 'v1',
  /** sections whose parts must be drawn again on the next frame: id → Set of parts */
  dirty: new Map(),
  scheduled: false,
};

const $ = (sel) => document.querySelector(sel);

function announce(text) {
  const el = $('#announcer');
  if (!el) return;
  el.textContent = '';
  // A separate task, so that the same message twice is announced twice.
  setTimeout(() => (el.textContent = text), 50);
}

function setConnection(kind, text) {
  const conn = $('#conn');
  conn.dataset.state = kind;
  conn.querySelector('.conn-text').textContent = text;
}

/** Replaces an element's content, keeping keyboard focus on the "same" control if it was inside. */
function replace(el, html, outer = false) {
  if (!el) return;
  const focused =
    document.activeElement instanceof HTMLElement && el.contains(document.activeElement)
      ? document.activeElement.dataset.focusKey
      : undefined;
  if (outer) el.outerHTML = html;
  else el.innerHTML = html;
  if (focused) document.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
}

function section(id) {
  let s = state.snapshot.sections.find((x) => x.section === id);
  if (!s) {
    s = { section: id, analysis: null, summary: null, summaryError: null, photo: null, occupancy: [], ages: [] };
    state.snapshot.sections.push(s);
    state.snapshot.sections.sort((a, b) => a.section.localeCompare(b.section, 'en', { numeric: true }));
    renderSections();
  }
  return s;
}

function markDirty(id, part) {
  if (!state.dirty.has(id)) state.dirty.set(id, new Set());
  state.dirty.get(id).add(part);
  if (!state.scheduled) {
    state.scheduled = true;
    requestAnimationFrame(flush);
  }
}

/** Draws what changed, at most once per animation frame however fast the events come. */
function flush() {
  state.scheduled = false;
  const now = Date.now();
  for (const [id, parts] of state.dirty) {
    const s = section(id);
    const card = document.getElementById(`section-${id}`);
    if (!card) continue;
    const part = (name) => card.querySelector(`[data-part="${name}"]`);
    if (parts.has('kpis')) replace(part('kpis'), kpis(s.summary, s.summaryError));
    if (parts.has('latest')) replace(part('latest'), latest(s.analysis, now));
    if (parts.has('charts') && state.v2) replace(part('charts'), charts(s));
    if (parts.has('photo') && state.v2) swapPhoto(part('photo'), s.photo);
    const warn = card.querySelector('.card-head .pill.warn');
    if (Boolean(warn) !== Boolean(s.summaryError)) replace(card, sectionCard(s, state.v2, now), true);
  }
  state.dirty.clear();
}

/**
 * The new photo is loaded before it replaces the old one, so it never flickers; one load at a time per
 * section, and photos that arrive meanwhile are skipped but for the newest.
 */
const photoLoads = new WeakMap();
function swapPhoto(el, p) {
  if (!el) return;
  if (!p) return replace(el, photo(null));
  const load = photoLoads.get(el);
  if (load) {
    load.next = p;
    return;
  }
  const start = (next) => {
    const entry = { next: null };
    photoLoads.set(el, entry);
    const img = new Image();
    img.onload = img.onerror = () => {
      photoLoads.delete(el);
      const current = el.isConnected ? el : null;
      if (current) replace(current, photo(next));
      if (entry.next && current) start(entry.next);
    };
    img.src = next.url;
  };
  start(p);
}

function renderSections() {
  const now = Date.now();
  replace($('#sections'), state.snapshot.sections.map((s) => sectionCard(s, state.v2, now)).join(''));
}

function renderAll() {
  const s = state.snapshot;
  const now = Date.now();
  renderSections();
  replace($('#alert-body'), alertBody(s.alert, now));
  replace($('#camera-list'), cameraList(s.cameras));
  replace($('#health-body'), healthList(s.health));
}

function capped(list, max) {
  if (list.length > max) list.splice(0, list.length - max);
}

const handlers = {
  snapshot(data) {
    state.snapshot = data;
    renderAll();
  },
  analysis({ section: id, analysis, photo: p, agePoints }) {
    const s = section(id);
    if (analysis) {
      s.analysis = analysis;
      markDirty(id, 'latest');
    }
    if (p) {
      s.photo = p;
      markDirty(id, 'photo');
    }
    if (agePoints?.length) {
      s.ages.push(...agePoints);
      s.ages.sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
      capped(s.ages, MAX_AGE_POINTS);
      markDirty(id, 'charts');
    }
  },
  summary({ section: id, summary, summaryError, occupancyPoint, history }) {
    const s = section(id);
    s.summary = summary;
    s.summaryError = summaryError;
    markDirty(id, 'kpis');
    if (history) {
      s.occupancy = history.occupancy;
      s.ages = history.ages;
      markDirty(id, 'charts');
    } else if (occupancyPoint) {
      const last = s.occupancy[s.occupancy.length - 1];
      if (last && last.t === occupancyPoint.t) last.v = occupancyPoint.v;
      else s.occupancy.push(occupancyPoint);
      capped(s.occupancy, MAX_OCCUPANCY_POINTS);
      markDirty(id, 'charts');
    }
  },
  alert(alert) {
    const previous = state.snapshot.alert;
    state.snapshot.alert = alert;
    replace($('#alert-body'), alertBody(alert, Date.now()));
    if (!previous || previous.frameId !== alert.frameId || previous.personId !== alert.personId) {
      const card = $('#alert');
      card.classList.remove('flash');
      void card.offsetWidth; // restart the animation
      card.classList.add('flash');
      $('#alert-new').hidden = false;
      setTimeout(() => ($('#alert-new').hidden = true), 8000);
    }
  },
  camera(camera) {
    const list = state.snapshot.cameras;
    const i = list.findIndex((c) => c.id === camera.id);
    const before = i >= 0 ? list[i] : null;
    if (i >= 0) list[i] = camera;
    else list.push(camera);
    const el = document.getElementById(`camera-${camera.id}`);
    if (el) replace(el, cameraItem(camera), true);
    else replace($('#camera-list'), cameraList(list));
    const was = Boolean(before?.state?.streaming);
    const is = Boolean(camera.state?.streaming);
    if (was !== is) announce(`Camera ${camera.id} ${is ? 'started streaming' : 'stopped'}`);
  },
  cameras(cameras) {
    state.snapshot.cameras = cameras;
    replace($('#camera-list'), cameraList(cameras));
    announce(`Cameras file reloaded: ${cameras.length} cameras`);
  },
  health(health) {
    state.snapshot.health = health;
    replace($('#health-body'), healthList(health));
  },
};

function connect() {
  const source = new EventSource('/events');
  source.addEventListener('open', () => setConnection('live', 'Live'));
  source.addEventListener('error', () =>
    setConnection(source.readyState === EventSource.CLOSED ? 'offline' : 'connecting', 'Reconnecting…'),
  );
  for (const [type, handle] of Object.entries(handlers)) {
    source.addEventListener(type, (event) => {
      if (type !== 'snapshot' && !state.snapshot) return;
      try {
        handle(JSON.parse(event.data));
      } catch (error) {
        console.error(`dashboard: ${type} event not shown`, error);
      }
    });
  }
  // An alert is also announced to screen readers (the alert card is a polite live region itself).
  source.addEventListener('alert', (event) => {
    const a = JSON.parse(event.data);
    announce(`Alert: ${a.name} seen in section ${a.section}, ${a.event}`);
  });
}

async function post(url) {
  const res = await fetch(url, { method: 'POST', headers: { accept: 'application/json' } });
  if (res.status === 401) {
    await res.text().catch(() => ''); // read the answer first: leaving mid-body aborts the request
    location.href = '/login'; // camera control needs the operator's sign-in
    return {};
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.detail ?? `HTTP ${res.status}`);
  return body;
}

function showCameraError(message) {
  const el = $('#camera-error');
  el.textContent = message ?? '';
  el.hidden = !message;
}

document.addEventListener('click', async (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const button = target?.closest('button[data-camera-action], button[data-cameras-reload]');
  if (!button || button.disabled) return;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  showCameraError(null);
  try {
    if (button.hasAttribute('data-cameras-reload')) {
      handlers.cameras((await post('/cameras/reload')).cameras);
    } else {
      const { cameraAction: action, cameraId: id } = button.dataset;
      handlers.camera(await post(`/cameras/${encodeURIComponent(id)}/${action}`));
    }
  } catch (error) {
    showCameraError(error instanceof Error ? error.message : String(error));
  } finally {
    // The button may have been replaced by the update; the old one is re-enabled in case it was not.
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
});

// "3 s ago" stays true without any event.
setInterval(() => {
  const now = Date.now();
  for (const el of document.querySelectorAll('[data-ago]')) el.textContent = ago(el.getAttribute('data-ago'), now);
}, 1000);

connect();

// Signed in (the session cookie is HttpOnly: ask the server): the link becomes "Sign out".
async function showSession() {
  const link = $('#signin-link');
  if (!link) return;
  const session = await fetch('/session', { headers: { accept: 'application/json' } })
    .then((r) => r.json())
    .catch(() => ({ signedIn: false }));
  if (!session.signedIn) return;
  link.textContent = 'Sign out';
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    // Read to the end before navigating (a navigation would abort the request as it completes).
    await fetch('/session', { method: 'DELETE' })
      .then((r) => r.json())
      .catch(() => undefined);
    location.href = '/login';
  });
}
void showSession();
