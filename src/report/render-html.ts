import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EventRecord, LogRecord } from '../bundle/records.js';
import { logFields } from '../export/otel-mapping.js';
import { TOOL_VERSION } from '../version.js';
import type { ReportData } from './report-data.js';
import { clock, esc, timelineSvg, topologySvg, waterfallSvg, type Marker } from './svg.js';

const require = createRequire(import.meta.url);

/** uPlot (MIT), inlined so the report needs no network when viewed. */
function uplotAssets(): { js: string; css: string } {
  return {
    js: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
}

/** JSON inside <script>: `<` escaped so no string in the data can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

function markers(d: ReportData): Marker[] {
  const out: Marker[] = [];
  if (d.firstAlert)
    out.push({ at: d.firstAlert.at, label: `first alert (${d.firstAlert.alertname})`, cls: 'marker-alert' });
  if (d.truth?.injectedAt) out.push({ at: d.truth.injectedAt, label: 'fault injected', cls: 'marker-fault' });
  if (d.truth?.manifestedAt)
    out.push({ at: d.truth.manifestedAt, label: 'manifested', cls: 'marker-manifest' });
  return out;
}

function eventsTable(events: readonly EventRecord[]): string {
  if (events.length === 0) return '<p class="empty">No events in the window.</p>';
  const reasons = [...new Set(events.map((e) => e.reason))].sort();
  const rows = events.map(
    (e) =>
      `<tr data-type="${esc(e.type)}" data-reason="${esc(e.reason)}"><td>${clock(Date.parse(e.lastTimestamp))}</td><td class="type-${esc(e.type.toLowerCase())}">${esc(e.type)}</td><td>${esc(e.reason)}</td><td>${esc(e.entity)}</td><td class="num">${e.count}</td><td>${esc(e.message)}</td></tr>`,
  );
  return `<div class="filters"><label>type <select id="ev-type"><option value="">all</option><option>Warning</option><option>Normal</option></select></label>
<label>reason <select id="ev-reason"><option value="">all</option>${reasons.map((r) => `<option>${esc(r)}</option>`).join('')}</select></label>
<label>search <input id="ev-text" type="search" placeholder="object or message"></label> <span id="ev-count">${events.length} of ${events.length}</span></div>
<table id="events"><thead><tr><th>last seen (UTC)</th><th>type</th><th>reason</th><th>object</th><th>count</th><th>message</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function logTable(d: ReportData): string {
  if (d.logs.length === 0) return '<p class="empty">No log lines around the first alert.</p>';
  const trouble = (l: LogRecord): boolean => {
    const sev = logFields(l).severityNumber;
    return l.stream === 'stderr' || sev >= 13;
  };
  const rows = d.logs.map(
    (l) =>
      `<tr class="${trouble(l) ? 'trouble' : ''}"><td>${esc(l.ts.slice(11, 23))}</td><td>${esc(l.entity.split('/').pop() ?? l.entity)}</td><td>${l.stream}</td><td class="line">${esc(l.line)}</td></tr>`,
  );
  return `<p>${d.logs.length} of the window's ${d.logLines} lines, within 30 s of ${d.firstAlert ? `the first alert (${esc(d.firstAlert.alertname)}, ${clock(d.firstAlert.at)} UTC)` : 'the window start'}; warnings, errors and stderr highlighted.</p>
<div class="scroll"><table id="logs"><thead><tr><th>time</th><th>pod</th><th>stream</th><th>line</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

function truthSection(d: ReportData): string {
  const t = d.truth;
  if (!t) return '';
  const faults = t.faults
    .map(
      (f) =>
        `<tr><td>${esc(f.type)}</td><td>${esc(f.target)}</td><td><code>${esc(JSON.stringify(f.params))}</code></td><td>${f.injectedAt ? clock(Date.parse(f.injectedAt)) : '–'}</td><td>${f.recoveredAt ? clock(Date.parse(f.recoveredAt)) : '–'}</td></tr>`,
    )
    .join('');
  const bg = t.background
    .map(
      (a) =>
        `<tr><td>${esc(a.kind)}</td><td>${esc(a.target ?? '–')}</td><td>${clock(Date.parse(a.at))}</td><td>${a.undoneAt ? clock(Date.parse(a.undoneAt)) : '–'}</td><td>${esc(a.detail)}</td></tr>`,
    )
    .join('');
  return `<section id="truth" class="truth"><h2>Ground truth <span class="badge">authors only</span></h2>
<p>Scenario <b>${esc(t.scenarioId)}</b>; fault injected ${t.injectedAt ? `${clock(t.injectedAt)} UTC` : '–'}, expected alerts firing ${t.manifestedAt ? `${clock(t.manifestedAt)} UTC` : 'never'}.
Root causes: ${t.rootCauses.map((r) => `<code class="root">${esc(r)}</code>`).join(', ')}${t.aliases.length ? ` (aliases: ${t.aliases.map(esc).join(', ')})` : ''}.</p>
<table><thead><tr><th>fault</th><th>target</th><th>params</th><th>injected</th><th>recovered</th></tr></thead><tbody>${faults}</tbody></table>
${bg ? `<h3>Background activity</h3><table><thead><tr><th>kind</th><th>target</th><th>at</th><th>undone</th><th>what</th></tr></thead><tbody>${bg}</tbody></table>` : ''}
</section>`;
}

const CSS = `
:root { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328; }
body { margin: 0 auto; max-width: 1240px; padding: 16px 24px 48px; background: #fff; }
h1 { font-size: 1.5rem; margin: 0.2em 0; } h2 { font-size: 1.15rem; margin-top: 1.8em; border-bottom: 1px solid #d0d7de; padding-bottom: 4px; }
.meta { color: #57606a; font-size: 0.9rem; }
table { border-collapse: collapse; font-size: 0.82rem; width: 100%; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eaeef2; vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 0; }
td.num { text-align: right; } td.line { font-family: ui-monospace, "DejaVu Sans Mono", monospace; white-space: pre-wrap; word-break: break-all; }
.type-warning { color: #bc4c00; font-weight: 600; }
tr.trouble td { background: #fff1f0; }
.scroll { max-height: 420px; overflow: auto; border: 1px solid #eaeef2; } .scroll.tall { max-height: 760px; }
.filters { margin: 6px 0; display: flex; gap: 14px; align-items: center; font-size: 0.85rem; }
.charts { display: grid; grid-template-columns: 1fr; gap: 8px; }
.chart { min-height: 240px; }
svg text { font-size: 11px; fill: #1f2328; }
svg .tick { stroke: #eaeef2; } svg .tick-label { fill: #57606a; text-anchor: middle; }
svg.timeline .window { fill: #ddf4ff; } svg.timeline .window-label { fill: #0969da; }
svg .row-label { text-anchor: end; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
svg.waterfall .row-label { text-anchor: start; }
svg .bar.pending { fill: #d4a72c; } svg .bar.firing { fill: #cf222e; }
svg .marker { stroke-width: 2; stroke-dasharray: 5 3; } svg .marker-label { font-size: 10px; }
svg .marker-alert { stroke: #cf222e; fill: #cf222e; } svg .marker-fault { stroke: #8250df; fill: #8250df; } svg .marker-manifest { stroke: #1a7f37; fill: #1a7f37; }
svg .span { fill: #54aeff; } svg .span.error { fill: #cf222e; } svg .span-ms { fill: #57606a; font-size: 10px; }
svg.topology .edge { fill: none; stroke: #8c959f; stroke-width: 1.2; } svg.topology .edge.calls { stroke: #0969da; }
svg.topology .edge.owns { stroke: #afb8c1; } svg .arrow { fill: #8c959f; }
svg.topology .node rect { fill: #f6f8fa; stroke: #8c959f; } svg.topology .node text { text-anchor: middle; font-size: 11px; }
svg.topology .kind-deployment rect { fill: #ddf4ff; } svg.topology .kind-service rect { fill: #dafbe1; }
svg.topology .kind-pod rect { fill: #fff8c5; } svg.topology .kind-node rect, svg.topology .kind-namespace rect { fill: #eaeef2; }
svg.topology .alerting rect { stroke: #cf222e; stroke-width: 3; }
svg.topology .root-cause rect { stroke: #8250df; stroke-width: 4; stroke-dasharray: 6 2; }
.legend span { display: inline-block; margin-right: 14px; font-size: 0.8rem; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -2px; }
.truth { border: 2px dashed #8250df; padding: 4px 14px 12px; border-radius: 6px; background: #fbefff; }
.badge { background: #8250df; color: #fff; font-size: 0.7rem; padding: 2px 6px; border-radius: 8px; vertical-align: middle; }
.empty { color: #57606a; font-style: italic; }
`;

/** Draws the charts with uPlot and wires the events filter; reads its data from #report-data. */
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#1b7c83', '#bf3989', '#6e7781', '#953800', '#0550ae'];
  function markerHook(u) {
    var ctx = u.ctx;
    data.markers.forEach(function (m) {
      var x = u.valToPos(m.at / 1000, 'x', true);
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
      ctx.save();
      ctx.strokeStyle = m.color; ctx.lineWidth = 2 * devicePixelRatio; ctx.setLineDash([6, 4]);
      ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
      ctx.restore();
    });
  }
  function chart(id, title, key, unit) {
    var el = document.getElementById(id);
    if (!el || data.charts.times.length === 0) return;
    var series = [{ value: function (u, v) { return v == null ? '' : new Date(v * 1000).toISOString().slice(11, 19); } }];
    var columns = [data.charts.times];
    data.charts.services.forEach(function (s, i) {
      series.push({ label: s.service, stroke: palette[i % palette.length], width: 1.6, spanGaps: true,
        value: function (u, v) { return v == null ? '–' : v.toFixed(unit === 'ms' ? 0 : 2) + ' ' + unit; } });
      columns.push(s[key]);
    });
    new uPlot({
      title: title, width: Math.max(el.clientWidth, 600), height: 230, series: series,
      scales: { x: { time: true, min: data.window.start / 1000, max: data.window.end / 1000 } },
      axes: [{}, { label: unit, size: 60 }],
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      hooks: { draw: [markerHook] }
    }, columns, el);
  }
  chart('chart-rate', 'Request rate per service', 'rate', 'req/s');
  chart('chart-errors', 'Error ratio per service (status >= 500)', 'errorPct', '%');
  chart('chart-p95', 'p95 latency per service', 'p95Ms', 'ms');
  var type = document.getElementById('ev-type'), reason = document.getElementById('ev-reason'), text = document.getElementById('ev-text');
  function filter() {
    var rows = document.querySelectorAll('#events tbody tr'), shown = 0, q = text.value.toLowerCase();
    rows.forEach(function (r) {
      var ok = (!type.value || r.dataset.type === type.value) && (!reason.value || r.dataset.reason === reason.value) &&
        (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.style.display = ok ? '' : 'none'; if (ok) shown++;
    });
    document.getElementById('ev-count').textContent = shown + ' of ' + rows.length;
  }
  if (type) { type.addEventListener('change', filter); reason.addEventListener('change', filter); text.addEventListener('input', filter); }
})();
`;

const MARKER_COLORS: Record<string, string> = {
  'marker-alert': '#cf222e',
  'marker-fault': '#8250df',
  'marker-manifest': '#1a7f37',
};

/** The whole report as one HTML document: styles, uPlot and data inlined, nothing fetched when viewed. */
export function renderReportHtml(d: ReportData): string {
  const assets = uplotAssets();
  const ms = markers(d);
  const rootCauses = new Set(d.truth ? [...d.truth.rootCauses] : []);
  const clientData = {
    window: d.window,
    charts: d.charts,
    markers: ms.map((m) => ({ at: m.at, label: m.label, color: MARKER_COLORS[m.cls] ?? '#57606a' })),
  };
  const trace = (title: string, spans: ReportData['traces']['slowest'], none: string): string =>
    `<h3>${title}</h3>${spans ? `<p class="meta">trace <code>${esc(spans[0].traceId)}</code>, ${spans.length} spans, started ${clock(Math.min(...spans.map((s) => Date.parse(s.start))))} UTC</p>${waterfallSvg(spans)}` : `<p class="empty">${none}</p>`}`;
  const legend = `<p class="legend"><span><i style="background:#ddf4ff"></i>Deployment</span><span><i style="background:#fff8c5"></i>Pod</span><span><i style="background:#dafbe1"></i>Service</span><span><i style="border:3px solid #cf222e"></i>alerting</span>${d.truth ? '<span><i style="border:3px dashed #8250df"></i>root cause</span>' : ''}<span><i style="background:#0969da"></i>calls</span></p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>Incident ${esc(d.bundleId)}${d.truth ? ' (with truth)' : ''}</title>
<style>${assets.css}</style><style>${CSS}</style>
</head><body>
<header><h1>Incident ${esc(d.bundleId)}</h1>
<p class="meta">Window ${iso(d.window.start)} – ${iso(d.window.end)} (UTC), captured ${iso(d.capturedAt)} on the ${esc(d.substrate)} substrate.
${d.alerts.active.filter((a) => a.state === 'firing').length} alerts firing at capture. Report by firedrill ${esc(TOOL_VERSION)}.</p></header>
${truthSection(d)}
<section id="alert-timeline"><h2>Alert timeline</h2>
<p class="meta">Each row is an alert and the workload it points at: <span style="color:#9a6700">pending</span> and <span style="color:#cf222e">firing</span> stretches; the shaded band is the incident window.</p>
${timelineSvg(d.alerts.timeline, d.window, ms)}</section>
<section id="services"><h2>Services</h2>
<p class="meta">From the request metrics every service exports, summed over pods and routes, per capture step. Dashed lines: ${ms.map((m) => `<span style="color:${MARKER_COLORS[m.cls] ?? '#57606a'}">${esc(m.label)}</span>`).join(', ') || 'none'}.</p>
<div class="charts"><div class="chart" id="chart-rate"></div><div class="chart" id="chart-errors"></div><div class="chart" id="chart-p95"></div></div>
${d.charts.times.length === 0 ? '<p class="empty">No request metrics in the snapshot.</p>' : ''}</section>
<section id="events-section"><h2>Events</h2>${eventsTable(d.events)}</section>
<section id="traces"><h2>Traces</h2>
${trace('The slowest trace', d.traces.slowest, 'No traces in the snapshot.')}
${trace('A failing trace', d.traces.failing, 'No span ended in error.')}</section>
<section id="topology"><h2>Topology</h2>${legend}<div class="scroll tall">${topologySvg(d.topology, new Set(d.alerting), rootCauses)}</div></section>
<section id="log-excerpt"><h2>Logs around the first alert</h2>${logTable(d)}</section>
<script id="report-data" type="application/json">${scriptJson(clientData)}</script>
<script>${assets.js}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
