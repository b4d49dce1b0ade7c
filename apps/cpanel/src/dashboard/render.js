// The dashboard's HTML, as pure functions of the view data. The same module renders the page on the
// server (dashboard.page.ts) and re-renders its parts in the browser on every live update
// (dashboard.js), so there is one renderer. Plain ES module, no dependencies; everything it outputs is
// escaped here.

const HTML_ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** @param {unknown} value */
export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[/** @type {keyof typeof HTML_ESCAPES} */ (c)]);
}

/** `HH:MM:SS` in UTC (the same on the server and in every browser). @param {string} iso */
export function clock(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(11, 19);
}

/** "just now", "42 s ago", "3 min ago", "2 h ago". @param {string} iso @param {number} now */
export function ago(iso, now) {
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return '';
  if (s < 2) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** @param {string} iso @param {number} now */
function timeTag(iso, now) {
  return `<time datetime="${esc(iso)}">${esc(iso)}</time> <span class="ago" data-ago="${esc(iso)}">${esc(ago(iso, now))}</span>`;
}

const num = (/** @type {number} */ n) => new Intl.NumberFormat('en').format(n);

// ---- sections

/** The section totals from the section service. */
export function kpis(summary, summaryError) {
  const cell = (label, value, hint) =>
    `<div class="kpi"><dt>${esc(label)}</dt><dd>${value === null ? '<span class="none">–</span>' : esc(num(value))}</dd>${hint ? `<dd class="hint">${esc(hint)}</dd>` : ''}</div>`;
  const s = summary;
  const error = summaryError
    ? `<p class="inline-error" role="note"><span aria-hidden="true">⚠</span> Section service unreachable: ${esc(summaryError)}${s ? ' (last known totals shown)' : ''}</p>`
    : '';
  return `<dl class="kpis">
    ${cell('Occupancy', s ? s.occupancy : null, 'entries − exits')}
    ${cell('Entries', s ? s.entries : null)}
    ${cell('Exits', s ? s.exits : null)}
    ${cell('Frames', s ? s.frames : null)}
  </dl>${error}`;
}

/** One face as in the seeds' "Dashboard V1": `gender: male | age: 38-43 | event: exit`. */
export function faceLine(face, event) {
  const age = face.ageRange ?? (typeof face.age === 'number' ? String(Math.round(face.age)) : '?');
  return `gender: ${face.gender ?? 'unknown'} | age: ${age} | event: ${event}`;
}

/** The latest statistics of a section (seed 000 "Dashboard V1"). */
export function latest(analysis, now) {
  if (!analysis) return `<p class="empty">No statistics yet. Start a camera of this section to see who passes.</p>`;
  const a = analysis;
  const lines = a.faces.length
    ? a.faces.map((f) => `<li>${esc(faceLine(f, a.event))}</li>`).join('')
    : `<li>${esc(`no faces | people: ${a.personCount ?? '?'} | event: ${a.event}`)}</li>`;
  const people =
    a.personCount === null || a.personCount === undefined
      ? 'not analysed'
      : `${a.personCount} ${a.personCount === 1 ? 'person' : 'people'}`;
  const names = a.matches?.length
    ? ` · <strong class="match-names">${a.matches.map((m) => esc(m.name)).join(', ')}</strong>`
    : '';
  return `<p class="stat-ts">timestamp: ${timeTag(a.timestamp, now)}</p>
    <ul class="stat-lines">${lines}</ul>
    <p class="meta">Camera ${esc(a.cameraId)} · ${esc(a.event)} · ${esc(people)}${names}</p>`;
}

/** v2: the photo with face boxes, ages, genders and names drawn over it. */
export function photo(p) {
  if (!p)
    return `<div class="photo-empty"><p>No photo yet.</p><p class="hint">The photo of the section's latest frame appears here while a camera streams.</p></div>`;
  const fs = Math.max(12, Math.round(p.width / 55));
  const stroke = Math.max(2, Math.round(p.width / 400));
  const label = (x, y, text, cls) => {
    const w = Math.round(text.length * fs * 0.62 + fs * 0.8);
    const h = Math.round(fs * 1.5);
    const top = y - h < 0 ? y : y - h;
    return `<g class="${cls}"><rect class="tag" x="${x}" y="${top}" width="${w}" height="${h}" rx="${Math.round(fs / 4)}"></rect><text x="${x + Math.round(fs * 0.4)}" y="${top + Math.round(fs * 1.1)}" font-size="${fs}">${esc(text)}</text></g>`;
  };
  const boxes = [];
  for (const f of p.faces) {
    if (!f.box) continue;
    const { x, y, width, height } = f.box;
    const text = [f.gender ?? '?', f.ageRange ?? (typeof f.age === 'number' ? Math.round(f.age) : '?')].join(' · ');
    boxes.push(
      `<rect class="face-box" x="${x}" y="${y}" width="${width}" height="${height}" stroke-width="${stroke}"></rect>${label(x, y, text, 'face-tag')}`,
    );
  }
  for (const m of p.matches) {
    if (!m.box) continue;
    const { x, y, width, height } = m.box;
    boxes.push(
      `<rect class="match-box" x="${x}" y="${y}" width="${width}" height="${height}" stroke-width="${stroke * 1.5}"></rect>${label(x, y + height + Math.round(fs * 1.5), `${m.name} ${Math.round(m.similarity * 100)}%`, 'match-tag')}`,
    );
  }
  const described = p.faces.map(
    (f) =>
      `${f.gender ?? 'unknown gender'} ${f.ageRange ?? (typeof f.age === 'number' ? Math.round(f.age) : 'unknown age')}`,
  );
  const names = p.matches.map((m) => `${m.name} (${Math.round(m.similarity * 100)}%)`);
  const alt = `Frame ${p.frameId} of camera ${p.cameraId} (${p.event}) at ${clock(p.timestamp)} UTC: ${p.faces.length} ${p.faces.length === 1 ? 'face' : 'faces'}`;
  return `<figure class="photo">
    <div class="photo-frame">
      <img src="${esc(p.url)}" width="${p.width}" height="${p.height}" alt="${esc(alt)}">
      <svg class="overlay" viewBox="0 0 ${p.width} ${p.height}" preserveAspectRatio="none" aria-hidden="true">${boxes.join('')}</svg>
    </div>
    <figcaption><span>Camera ${esc(p.cameraId)} · ${esc(p.event)} · ${esc(clock(p.timestamp))} UTC</span>
      <span>${p.faces.length ? esc(described.join('; ')) : 'no faces'}${names.length ? ` · <strong class="match-names">${esc(names.join(', '))}</strong>` : ''}</span></figcaption>
  </figure>`;
}

// ---- charts (inline SVG, no library)

const W = 360;
const H = 150;
const PAD = { l: 34, r: 12, t: 12, b: 24 };

/** Grid, value ticks (`offset` + 0, half, max: the real values of a shifted scale) and the time span. */
function axes(t0, t1, yMax, yLabel, offset = 0) {
  const x0 = PAD.l;
  const x1 = W - PAD.r;
  const yTop = PAD.t;
  const yBot = H - PAD.b;
  const ticks = [0, yMax / 2, yMax].map((v) => {
    const y = yBot - (v / (yMax || 1)) * (yBot - yTop);
    return `<line class="grid" x1="${x0}" x2="${x1}" y1="${y}" y2="${y}"></line><text class="tick" x="${x0 - 6}" y="${y + 4}" text-anchor="end">${esc(Math.round(offset + v))}</text>`;
  });
  return `${ticks.join('')}
    <text class="tick" x="${x0}" y="${H - 6}">${esc(clock(new Date(t0).toISOString()))}</text>
    <text class="tick" x="${x1}" y="${H - 6}" text-anchor="end">${esc(clock(new Date(t1).toISOString()))} UTC</text>
    <text class="axis-label" x="${x0}" y="${yTop - 2}">${esc(yLabel)}</text>`;
}

function scaleX(t, t0, t1) {
  return PAD.l + ((t - t0) / (t1 - t0 || 1)) * (W - PAD.l - PAD.r);
}

function scaleY(v, yMax) {
  return H - PAD.b - (v / (yMax || 1)) * (H - PAD.b - PAD.t);
}

function niceMax(v) {
  if (v <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(v));
  return Math.ceil(v / (p / 2)) * (p / 2);
}

function chartFrame(id, title, summary, body) {
  return `<figure class="chart">
    <figcaption id="${id}-cap"><span class="chart-title">${esc(title)}</span> <span class="chart-sub">${esc(summary)}</span></figcaption>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-cap" preserveAspectRatio="xMidYMid meet">${body}</svg>
  </figure>`;
}

/** Occupancy over time, a step line from the section's totals. */
export function occupancyChart(sectionId, points) {
  const id = `occ-${esc(sectionId)}`;
  if (!points.length)
    return chartFrame(
      id,
      'Occupancy',
      'no data yet',
      `<text class="chart-empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">Waiting for frames…</text>`,
    );
  const ts = points.map((p) => Date.parse(p.t));
  const t0 = ts[0];
  const t1 = Math.max(ts[ts.length - 1], t0 + 1000);
  const lo = Math.min(0, ...points.map((p) => p.v));
  const yMax = niceMax(Math.max(1, ...points.map((p) => p.v - lo)));
  let d = '';
  points.forEach((p, i) => {
    const x = scaleX(ts[i], t0, t1).toFixed(1);
    const y = scaleY(p.v - lo, yMax).toFixed(1);
    d += i === 0 ? `M${x},${y}` : `H${x}V${y}`;
  });
  const lastX = scaleX(ts[ts.length - 1], t0, t1).toFixed(1);
  const lastY = scaleY(points[points.length - 1].v - lo, yMax).toFixed(1);
  const base = scaleY(0, yMax).toFixed(1);
  const area = `${d}V${base}H${scaleX(ts[0], t0, t1).toFixed(1)}Z`;
  const now = points[points.length - 1].v;
  const max = Math.max(...points.map((p) => p.v));
  return chartFrame(
    id,
    'Occupancy',
    `now ${now}, peak ${max}, over ${points.length} points`,
    `${axes(t0, t1, yMax, 'people', lo)}<path class="area" d="${area}"></path><path class="line" d="${d}"></path><circle class="dot-now" cx="${lastX}" cy="${lastY}" r="3.5"></circle>`,
  );
}

/** Estimated ages of the faces seen, over time (a dot per face, coloured by gender). */
export function ageChart(sectionId, points) {
  const id = `age-${esc(sectionId)}`;
  if (!points.length)
    return chartFrame(
      id,
      'Age',
      'no faces yet',
      `<text class="chart-empty" x="${W / 2}" y="${H / 2}" text-anchor="middle">Waiting for faces…</text>`,
    );
  const ts = points.map((p) => Date.parse(p.t));
  const t0 = Math.min(...ts);
  const t1 = Math.max(Math.max(...ts), t0 + 1000);
  // The band the ages fall in, in whole decades with a margin (faces of 16-37 are not squeezed into 0-90).
  const ages = points.map((p) => p.age);
  const yMin = Math.max(0, Math.floor(Math.min(...ages) / 10) * 10 - 10);
  const yTop = Math.min(100, Math.max(yMin + 20, Math.ceil(Math.max(...ages) / 10) * 10 + 10));
  const span = yTop - yMin;
  const r = points.length > 150 ? 1.8 : 2.6;
  const dots = points
    .map(
      (p, i) =>
        `<circle class="age-dot ${p.gender === 'male' || p.gender === 'female' ? p.gender : 'unknown'}" cx="${scaleX(ts[i], t0, t1).toFixed(1)}" cy="${scaleY(p.age - yMin, span).toFixed(1)}" r="${r}"></circle>`,
    )
    .join('');
  const mean = ages.reduce((sum, a) => sum + a, 0) / ages.length;
  const meanY = scaleY(mean - yMin, span).toFixed(1);
  const legend = `<g class="legend"><circle class="age-dot male" cx="${W - 150}" cy="${PAD.t - 4}" r="3"></circle><text class="tick" x="${W - 144}" y="${PAD.t}">male</text><circle class="age-dot female" cx="${W - 104}" cy="${PAD.t - 4}" r="3"></circle><text class="tick" x="${W - 98}" y="${PAD.t}">female</text><line class="mean" x1="${W - 52}" x2="${W - 38}" y1="${PAD.t - 4}" y2="${PAD.t - 4}"></line><text class="tick" x="${W - 34}" y="${PAD.t}">mean</text></g>`;
  return chartFrame(
    id,
    'Age',
    `${points.length} faces, mean ${mean.toFixed(1)} years`,
    `${axes(t0, t1, span, 'years', yMin)}<line class="mean" x1="${PAD.l}" x2="${W - PAD.r}" y1="${meanY}" y2="${meanY}"></line>${dots}${legend}`,
  );
}

export function charts(section) {
  if (!section.occupancy.length && !section.ages.length) {
    return `<p class="charts-empty">Charts of occupancy and age over time appear once frames of this section arrive.</p>`;
  }
  return `${occupancyChart(section.section, section.occupancy)}${ageChart(section.section, section.ages)}`;
}

/** The whole card of a section; its parts carry data-part so live updates replace only what changed. */
export function sectionCard(section, v2, now) {
  const id = esc(section.section);
  const stale = section.summaryError ? '<span class="pill warn">section service down</span>' : '';
  return `<section class="card section-card" id="section-${id}" aria-labelledby="section-${id}-title" data-section="${id}">
    <header class="card-head"><h2 id="section-${id}-title">Section ${id}</h2>${stale}</header>
    <div data-part="kpis">${kpis(section.summary, section.summaryError)}</div>
    <div class="section-body${v2 ? ' v2' : ''}">
      <div class="latest">
        <h3>Latest statistics</h3>
        <div data-part="latest">${latest(section.analysis, now)}</div>
      </div>
      ${v2 ? `<div class="photo-col"><h3>Camera photo</h3><div data-part="photo">${photo(section.photo)}</div></div>` : ''}
    </div>
    ${v2 ? `<div class="charts" data-part="charts">${charts(section)}</div>` : ''}
  </section>`;
}

// ---- alert

/** The latest alert (seed 000: timestamp, section, event, name). */
export function alertBody(alert, now) {
  if (!alert) return `<p class="empty">No alert yet. An alert appears when a person of interest is recognised.</p>`;
  const a = alert;
  return `<p class="alert-name">name: <strong>${esc(a.name)}</strong></p>
    <div class="alert-lines">
      <p>timestamp: ${timeTag(a.timestamp, now)}</p>
      <p>section: <strong>${esc(a.section)}</strong></p>
      <p>event: <strong>${esc(a.event)}</strong></p>
    </div>
    <p class="meta">Camera ${esc(a.cameraId)} · similarity ${esc(Math.round(a.similarity * 100))}% · frame ${esc(a.frameId)}</p>`;
}

// ---- cameras

const frames = (/** @type {number} */ n) => `${num(n)} ${n === 1 ? 'frame' : 'frames'}`;

export function cameraItem(camera) {
  const c = camera;
  const id = esc(c.id);
  const streaming = Boolean(c.state?.streaming);
  let state;
  let cls;
  if (c.error && !c.state) {
    state = 'Unreachable';
    cls = 'down';
  } else if (streaming) {
    state = `Streaming · ${c.state.fps} fps · ${frames(c.state.cycle)}`;
    cls = 'on';
  } else {
    state = c.state ? `Stopped · ${frames(c.state.cycle)} sent` : 'Unknown';
    cls = c.state ? 'off' : 'unknown';
  }
  const action = streaming ? 'stop' : 'start';
  const label = streaming ? 'Stop' : 'Start';
  return `<li class="camera" id="camera-${id}" data-camera="${id}" data-streaming="${streaming}">
    <div class="camera-main">
      <p class="camera-name"><span class="dot ${cls}" aria-hidden="true"></span>Camera ${id} <span class="tag-pill">section ${esc(c.section)} · ${esc(c.type)}</span></p>
      <p class="camera-desc">${esc(c.description)}</p>
      <p class="camera-state" data-camera-state>${esc(state)}</p>
      ${c.error && !c.state ? `<p class="inline-error">${esc(c.error)}</p>` : ''}
      ${c.error && c.state ? `<p class="stale">Last check failed, state as last known (${esc(c.error.replace(/^camera \S+ \([^)]*\): /, ''))})</p>` : ''}
    </div>
    <button type="button" class="btn ${streaming ? 'btn-secondary' : 'btn-primary'}" data-camera-action="${action}" data-camera-id="${id}" data-focus-key="camera-${id}" aria-label="${label} camera ${id} (${esc(c.description)})">${label}</button>
  </li>`;
}

export function cameraList(cameras) {
  if (!cameras.length) return `<p class="empty">The cameras file lists no camera.</p>`;
  return `<ul class="cameras">${cameras.map(cameraItem).join('')}</ul>`;
}

// ---- health

export function healthList(health) {
  if (!health) return `<p class="empty">Checking services…</p>`;
  const rows = health.services
    .map(
      (s) =>
        `<li class="svc ${s.online ? 'up' : 'down'}"><span class="dot ${s.online ? 'on' : 'down'}" aria-hidden="true"></span><span class="svc-name">${esc(s.name)}</span><span class="svc-status">${s.online ? esc(s.status) : `Unreachable <span class="muted">(${esc(s.error)})</span>`}</span></li>`,
    )
    .join('');
  return `<p class="meta">${health.online} of ${health.total} online · checked ${esc(clock(health.checkedAt))} UTC</p><ul class="services">${rows}</ul>`;
}
