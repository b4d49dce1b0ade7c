/**
 * The dashboard's stylesheet, served at /assets/dashboard.css. System fonts only (no download), light
 * and dark from `prefers-color-scheme`, colours chosen for WCAG AA contrast on their backgrounds.
 */
export const DASHBOARD_CSS = String.raw`
:root {
  color-scheme: light dark;
  --bg: #f3f5f9;
  --surface: #ffffff;
  --surface-2: #f1f4f9;
  --text: #111827;
  --muted: #4b5563;
  --border: #dfe4ec;
  --accent: #1d4ed8;
  --accent-contrast: #ffffff;
  --accent-soft: #e3ebff;
  --ok: #15803d;
  --warn: #a15c00;
  --warn-bg: #fff4e0;
  --danger: #b91c1c;
  --danger-bg: #fdecec;
  --male: #2563eb;
  --female: #c0307a;
  --unknown: #6b7280;
  --chart-area: rgba(29, 78, 216, 0.12);
  --photo-face: #22d3ee;
  --photo-match: #f43f5e;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.05), 0 2px 8px rgba(16, 24, 40, 0.06);
  --radius: 14px;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0b1120;
    --surface: #131b2e;
    --surface-2: #1a2438;
    --text: #e5e9f0;
    --muted: #a3adbf;
    --border: #27324a;
    --accent: #8fb0ff;
    --accent-contrast: #0b1120;
    --accent-soft: #1c2a4d;
    --ok: #4ade80;
    --warn: #fbbf24;
    --warn-bg: #3a2a0c;
    --danger: #fca5a5;
    --danger-bg: #3b1518;
    --male: #7aa2ff;
    --female: #f78fc4;
    --unknown: #9ca3af;
    --chart-area: rgba(143, 176, 255, 0.16);
    --shadow: 0 1px 2px rgba(0, 0, 0, 0.4);
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif;
}
h1, h2, h3, p { margin: 0; }
a.link { color: var(--accent); text-underline-offset: 2px; }
a.link:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 6px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.skip-link { position: absolute; left: 12px; top: -60px; background: var(--accent); color: var(--accent-contrast); padding: 8px 14px; border-radius: 8px; z-index: 10; font-weight: 600; }
.skip-link:focus { top: 12px; }
.muted { color: var(--muted); }
.hint { color: var(--muted); font-size: 12px; }

/* top bar */
.topbar {
  position: sticky; top: 0; z-index: 5;
  display: flex; align-items: center; justify-content: space-between; gap: 16px;
  padding: 12px 28px;
  background: color-mix(in srgb, var(--surface) 92%, transparent);
  backdrop-filter: saturate(1.4) blur(8px);
  border-bottom: 1px solid var(--border);
}
.brand { display: flex; align-items: center; gap: 12px; }
.logo { width: 34px; height: 34px; flex: none; }
.logo-bg { fill: var(--accent); }
.logo-fg { fill: var(--accent-contrast); }
.brand-name { font-weight: 700; font-size: 16px; letter-spacing: 0.01em; }
.brand-sub { color: var(--muted); font-size: 12.5px; }
.topbar-right { display: flex; align-items: center; gap: 14px; }
.badge { font: 600 12px/1 var(--mono); padding: 6px 9px; border-radius: 999px; background: var(--accent-soft); color: var(--accent); border: 1px solid color-mix(in srgb, var(--accent) 30%, transparent); }
.conn { display: inline-flex; align-items: center; gap: 7px; font-size: 13px; color: var(--muted); }
.conn .dot { background: var(--warn); }
.conn[data-state="live"] .dot { background: var(--ok); box-shadow: 0 0 0 3px color-mix(in srgb, var(--ok) 25%, transparent); }
.conn[data-state="offline"] .dot { background: var(--danger); }

/* layout */
.layout {
  max-width: 1480px; margin: 0 auto; padding: 24px 28px 8px;
  display: grid; grid-template-columns: minmax(0, 1fr) 360px; gap: 24px; align-items: start;
}
main { display: grid; gap: 24px; min-width: 0; }
main:focus { outline: none; }
.page-title { font-size: 22px; font-weight: 700; letter-spacing: -0.01em; }
.side { display: grid; gap: 24px; position: sticky; top: 84px; }
.sections { display: grid; gap: 24px; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); }
body.v2 .sections { grid-template-columns: minmax(0, 1fr); }
@media (max-width: 1100px) {
  .layout { grid-template-columns: minmax(0, 1fr); }
  .side { position: static; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); }
}
@media (max-width: 560px) {
  .layout { padding: 16px 12px; }
  .topbar { padding: 10px 12px; }
  .brand-sub { display: none; }
}

/* cards */
.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 20px 22px; box-shadow: var(--shadow); min-width: 0; }
.card-head { display: flex; align-items: center; justify-content: space-between; gap: 12px; margin-bottom: 14px; }
.card-head h2 { font-size: 17px; font-weight: 650; display: flex; align-items: center; gap: 10px; }
h3 { font-size: 12px; font-weight: 650; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin-bottom: 8px; }
.pill { font-size: 12px; font-weight: 600; padding: 3px 9px; border-radius: 999px; }
.pill.warn { background: var(--warn-bg); color: var(--warn); }
.pill.danger { background: var(--danger); color: var(--surface); }
.empty { color: var(--muted); padding: 10px 0; }
.meta { color: var(--muted); font-size: 13px; margin-top: 8px; }
.inline-error { color: var(--danger); font-size: 13px; margin-top: 6px; overflow-wrap: anywhere; }

/* KPIs */
.kpis { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 10px; margin: 0; }
.kpi { background: var(--surface-2); border-radius: 10px; padding: 10px 12px; margin: 0; }
.kpi dt { font-size: 11.5px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.kpi dd { margin: 0; font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.25; }
.kpi dd.hint { font-size: 11.5px; font-weight: 400; }
.kpi:first-child dd:not(.hint) { color: var(--accent); }
.none { color: var(--muted); }
@media (max-width: 560px) { .kpis { grid-template-columns: repeat(2, minmax(0, 1fr)); } }

/* latest statistics (seed 000 "Dashboard V1") */
.section-body { display: grid; gap: 20px; margin-top: 18px; }
.section-body.v2 { grid-template-columns: minmax(0, 5fr) minmax(0, 7fr); }
@media (max-width: 900px) { .section-body.v2 { grid-template-columns: minmax(0, 1fr); } }
.stat-ts { font-family: var(--mono); font-size: 13px; overflow-wrap: anywhere; }
.stat-lines { list-style: none; margin: 8px 0 0; padding: 0; display: grid; gap: 6px; }
.stat-lines li { font-family: var(--mono); font-size: 13.5px; background: var(--surface-2); border-left: 3px solid var(--accent); padding: 6px 10px; border-radius: 6px; overflow-wrap: anywhere; }
.ago { color: var(--muted); font-family: system-ui, sans-serif; font-size: 12px; margin-left: 4px; }
.match-names { color: var(--danger); }

/* v2 photo */
.photo { margin: 0; }
.photo-frame { position: relative; border-radius: 10px; overflow: hidden; background: #000; border: 1px solid var(--border); }
.photo-frame img { display: block; width: 100%; height: auto; }
.overlay { position: absolute; inset: 0; width: 100%; height: 100%; }
.face-box { fill: none; stroke: var(--photo-face); }
.match-box { fill: none; stroke: var(--photo-match); }
.face-tag .tag { fill: rgba(8, 47, 73, 0.85); }
.face-tag text { fill: #e0f7ff; font-family: system-ui, sans-serif; font-weight: 600; }
.match-tag .tag { fill: var(--photo-match); }
.match-tag text { fill: #ffffff; font-family: system-ui, sans-serif; font-weight: 700; }
.photo figcaption { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 4px 12px; font-size: 12.5px; color: var(--muted); margin-top: 8px; }
.photo-empty { display: grid; place-content: center; text-align: center; gap: 4px; min-height: 140px; border: 1px dashed var(--border); border-radius: 10px; color: var(--muted); background: var(--surface-2); padding: 16px; }

/* charts */
.charts { display: grid; gap: 16px; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); margin-top: 20px; }
.charts-empty { grid-column: 1 / -1; color: var(--muted); font-size: 13.5px; padding: 14px 16px; border: 1px dashed var(--border); border-radius: 10px; background: var(--surface-2); }
.chart { margin: 0; background: var(--surface-2); border-radius: 10px; padding: 12px 12px 6px; }
.chart figcaption { font-size: 13px; margin-bottom: 4px; }
.chart-title { font-weight: 650; }
.chart-sub { color: var(--muted); }
.chart svg { width: 100%; height: auto; display: block; }
.chart .grid { stroke: var(--border); stroke-width: 1; }
.chart .tick, .chart .axis-label { fill: var(--muted); font-size: 10px; font-family: system-ui, sans-serif; }
.chart .line { fill: none; stroke: var(--accent); stroke-width: 2; stroke-linejoin: round; }
.chart .area { fill: var(--chart-area); stroke: none; }
.chart .dot-now { fill: var(--accent); stroke: var(--surface); stroke-width: 2; }
.chart .chart-empty { fill: var(--muted); font-size: 12px; font-family: system-ui, sans-serif; }
.age-dot { fill-opacity: 0.8; }
.age-dot.male { fill: var(--male); }
.age-dot.female { fill: var(--female); }
.age-dot.unknown { fill: var(--unknown); }
.chart .mean { stroke: var(--text); stroke-opacity: 0.55; stroke-width: 1.5; stroke-dasharray: 4 3; }

/* alert */
.alert-card { border-left: 5px solid var(--danger); }
.alert-card h2 { color: var(--danger); }
.alert-icon { display: inline-grid; place-items: center; width: 22px; height: 22px; border-radius: 50%; background: var(--danger); color: var(--surface); font-weight: 800; font-size: 14px; }
.alert-name { font-family: var(--mono); font-size: 15px; margin-bottom: 6px; }
.alert-name strong { font-family: system-ui, sans-serif; font-size: 22px; letter-spacing: -0.01em; }
.alert-lines { display: flex; flex-wrap: wrap; gap: 4px 32px; font-family: var(--mono); font-size: 13.5px; }
.alert-lines p { white-space: nowrap; }
@media (max-width: 560px) { .alert-lines p { white-space: normal; overflow-wrap: anywhere; } }
.alert-card.flash { animation: flash 1.6s ease-out; }
@keyframes flash { from { background: var(--danger-bg); } to { background: var(--surface); } }
@media (prefers-reduced-motion: reduce) { .alert-card.flash { animation: none; } }

/* cameras */
.cameras, .services { list-style: none; margin: 0; padding: 0; display: grid; gap: 10px; }
.camera { display: flex; align-items: center; justify-content: space-between; gap: 12px; padding: 12px; border: 1px solid var(--border); border-radius: 10px; background: var(--surface-2); }
.camera-main { min-width: 0; }
.camera-name { font-weight: 650; display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.tag-pill { font-weight: 600; font-size: 11.5px; padding: 2px 8px; border-radius: 999px; background: var(--surface); border: 1px solid var(--border); color: var(--muted); }
.camera-desc { font-size: 13px; color: var(--muted); }
.camera-state { font-size: 13px; font-variant-numeric: tabular-nums; }
.stale { font-size: 12px; color: var(--warn); margin-top: 2px; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: var(--unknown); flex: none; }
.dot.on { background: var(--ok); }
.dot.off { background: var(--unknown); }
.dot.down { background: var(--danger); }
.btn { font: inherit; font-size: 14px; font-weight: 600; border-radius: 9px; padding: 8px 16px; border: 1px solid transparent; cursor: pointer; min-width: 72px; }
.btn-primary { background: var(--accent); color: var(--accent-contrast); }
.btn-primary:hover { background: color-mix(in srgb, var(--accent) 85%, var(--text)); }
.btn-secondary { background: var(--surface); color: var(--text); border-color: var(--border); }
.btn-secondary:hover { border-color: var(--muted); }
.btn-ghost { background: transparent; color: var(--accent); padding: 4px 8px; min-width: 0; font-size: 13px; }
.btn[disabled] { opacity: 0.6; cursor: progress; }

/* services */
.svc { display: grid; grid-template-columns: auto auto 1fr; align-items: center; gap: 8px; font-size: 13px; }
.svc-name { font-weight: 600; min-width: 120px; }
.svc-status { font-family: var(--mono); font-size: 12.5px; overflow-wrap: anywhere; }
.svc.down .svc-status { color: var(--danger); }

.footer { max-width: 1480px; margin: 0 auto; padding: 16px 28px 28px; font-size: 13px; color: var(--muted); display: flex; flex-wrap: wrap; justify-content: space-between; gap: 8px; }
@media (forced-colors: active) { .dot { forced-color-adjust: none; } }
`;
