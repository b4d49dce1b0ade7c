import { alertBody, cameraList, esc, healthList, sectionCard } from './render.js';
import type { DashboardSnapshot } from './dashboard.service.js';

/** Content-Security-Policy of the page: everything from this origin, nothing inline, nothing external. */
export const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const LOGO = `<svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false"><rect width="32" height="32" rx="8" class="logo-bg"></rect><path class="logo-fg" d="M16 6l2.2 6.6h6.8l-5.5 4 2.1 6.6L16 19.2l-5.6 4 2.1-6.6-5.5-4h6.8z"></path></svg>`;

/** The whole dashboard page, server-rendered; dashboard.js keeps it live over SSE. */
export function renderDashboard(s: DashboardSnapshot, now = Date.now()): string {
  const v2 = s.version !== 'v1';
  const title = `Airport Mesh · Control panel ${s.version}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">
<script type="module" src="/assets/dashboard.js"></script>
</head>
<body class="${v2 ? 'v2' : 'v1'}" data-version="${esc(s.version)}">
<a class="skip-link" href="#main">Skip to the dashboard</a>
<header class="topbar">
  <div class="brand">${LOGO}<div><p class="brand-name">Airport Mesh</p><p class="brand-sub">Security control panel</p></div></div>
  <div class="topbar-right">
    <span class="badge" title="${esc(s.statusLine)}">CPanel ${esc(s.version)}</span>
    <a class="link" id="signin-link" href="/login">Sign in</a>
    <p class="conn" id="conn" data-state="connecting" role="status"><span class="dot" aria-hidden="true"></span><span class="conn-text">Connecting…</span></p>
  </div>
</header>
<div class="layout">
  <main id="main" tabindex="-1">
    <h1 class="page-title">Dashboard ${esc(s.version.toUpperCase())}</h1>
    <section class="card alert-card" id="alert" aria-labelledby="alert-title">
      <header class="card-head"><h2 id="alert-title"><span class="alert-icon" aria-hidden="true">!</span>Latest alert</h2><span class="pill danger" id="alert-new" hidden>new</span></header>
      <div id="alert-body" aria-live="polite" aria-atomic="true">${alertBody(s.alert, now)}</div>
    </section>
    <div class="sections" id="sections">
      ${s.sections.map((section) => sectionCard(section, v2, now)).join('\n')}
    </div>
  </main>
  <aside class="side" aria-label="Cameras and services">
    <section class="card" id="cameras" aria-labelledby="cameras-title">
      <header class="card-head"><h2 id="cameras-title">Cameras</h2><button type="button" class="btn btn-ghost" data-cameras-reload data-focus-key="reload">Reload file</button></header>
      <div id="camera-list">${cameraList(s.cameras)}</div>
      <p class="inline-error" id="camera-error" role="alert" hidden></p>
    </section>
    <section class="card" id="health" aria-labelledby="health-title">
      <header class="card-head"><h2 id="health-title">Services</h2><a class="link" href="/health/all?format=text">as text</a></header>
      <div id="health-body">${healthList(s.health)}</div>
    </section>
  </aside>
</div>
<footer class="footer">
  <p><span id="status-line">${esc(s.statusLine)}</span> · <a class="link" href="/docs">API</a> · <a class="link" href="/health/all">health</a> · <a class="link" href="/metrics">metrics</a></p>
  <p class="muted">Updates live (server-sent events); times are UTC.</p>
</footer>
<p class="visually-hidden" id="announcer" aria-live="polite" aria-atomic="true"></p>
</body>
</html>
`;
}
