import dagre from '@dagrejs/dagre';
import type { AlertTimelineEntry, SpanRecord, Topology } from '../bundle/records.js';
import { alertKey } from '../compare/stability.js';
import { traceOrder } from './report-data.js';

/** Text for HTML element content and attribute values. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `HH:MM:SS` in UTC: every time in a bundle is UTC. */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

const r1 = (n: number): string => (Math.round(n * 10) / 10).toString();

export interface Marker {
  at: number;
  label: string;
  /** CSS class: `marker-fault`, `marker-manifest`, `marker-alert`. */
  cls: string;
}

/** Tick positions every 15 s … 10 min, whichever gives at most ~10 over the span. */
function ticks(from: number, to: number): number[] {
  const steps = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
  const step = steps.find((s) => (to - from) / s <= 10) ?? steps[steps.length - 1];
  const out: number[] = [];
  for (let t = Math.ceil(from / step) * step; t <= to; t += step) out.push(t);
  return out;
}

/**
 * The alert timeline: one row per alert series (name and the workload it points at), pending and firing
 * stretches as bars on a UTC time axis, the incident window shaded, markers as vertical lines.
 */
export function timelineSvg(
  entries: readonly AlertTimelineEntry[],
  window: { start: number; end: number },
  markers: readonly Marker[],
): string {
  const pad = (window.end - window.start) * 0.04;
  const from = window.start - pad;
  const to = window.end + pad;
  const rows = new Map<string, AlertTimelineEntry[]>();
  for (const e of entries) {
    const k = alertKey(e.alertname, e.labels);
    rows.set(k, [...(rows.get(k) ?? []), e]);
  }
  const labelW = 300;
  const plotW = 860;
  const rowH = 22;
  const top = 26;
  const height = top + Math.max(rows.size, 1) * rowH + 30;
  const x = (t: number): number => labelW + ((t - from) / (to - from)) * plotW;
  const out: string[] = [];
  out.push(
    `<svg class="timeline" viewBox="0 0 ${labelW + plotW + 10} ${height}" width="100%" role="img" aria-label="alert timeline">`,
  );
  out.push(
    `<rect class="window" x="${r1(x(window.start))}" y="${top - 6}" width="${r1(x(window.end) - x(window.start))}" height="${height - top - 18}"><title>incident window ${clock(window.start)}–${clock(window.end)} UTC</title></rect>`,
  );
  out.push(
    `<text class="window-label" x="${r1(x(window.start) + 4)}" y="${top - 10}">incident window</text>`,
  );
  for (const t of ticks(from, to)) {
    out.push(
      `<line class="tick" x1="${r1(x(t))}" x2="${r1(x(t))}" y1="${top - 6}" y2="${height - 22}"/><text class="tick-label" x="${r1(x(t))}" y="${height - 8}">${clock(t)}</text>`,
    );
  }
  if (rows.size === 0)
    out.push(
      `<text class="empty" x="${labelW}" y="${top + 14}">no alert was pending or firing in the window</text>`,
    );
  let i = 0;
  for (const [key, list] of [...rows.entries()].sort(
    (a, b) =>
      Math.min(...a[1].map((e) => Date.parse(e.start))) - Math.min(...b[1].map((e) => Date.parse(e.start))),
  )) {
    const y = top + i * rowH;
    out.push(`<text class="row-label" x="${labelW - 8}" y="${y + 14}">${esc(key)}</text>`);
    for (const e of list) {
      const s = Date.parse(e.start);
      const end = e.end === null ? window.end : Date.parse(e.end);
      // A state seen at one evaluation only still gets a visible sliver.
      const w = Math.max(x(end) - x(s), 3);
      out.push(
        `<rect class="bar ${e.state}" x="${r1(x(s))}" y="${y + 3}" width="${r1(w)}" height="${rowH - 6}"><title>${esc(e.alertname)} ${e.state} ${clock(s)}–${e.end === null ? 'capture' : clock(end)} ${esc(JSON.stringify(e.labels))}</title></rect>`,
      );
    }
    i++;
  }
  markers
    .filter((m) => m.at >= from && m.at <= to)
    .forEach((m, k) => {
      // Markers close together (alert and manifest often coincide): labels on their own lines, and
      // anchored at their end near the right edge so they stay inside.
      const right = x(m.at) > labelW + plotW * 0.7;
      out.push(
        `<line class="marker ${m.cls}" x1="${r1(x(m.at))}" x2="${r1(x(m.at))}" y1="${top - 6}" y2="${height - 22}"><title>${esc(m.label)} ${clock(m.at)}</title></line><text class="marker-label ${m.cls}" x="${r1(x(m.at) + (right ? -3 : 3))}" y="${height - 24 - k * 11}" text-anchor="${right ? 'end' : 'start'}">${esc(m.label)}</text>`,
      );
    });
  out.push('</svg>');
  return out.join('');
}

/** A trace as a waterfall: one row per span in tree order, bars on the trace's own time axis. */
export function waterfallSvg(spans: readonly SpanRecord[]): string {
  const rows = traceOrder(spans);
  const start = Math.min(...rows.map((s) => Date.parse(s.start)));
  const end = Math.max(...rows.map((s) => Date.parse(s.start) + s.durationMs));
  const total = Math.max(end - start, 1);
  const labelW = 360;
  const plotW = 780;
  const rowH = 20;
  const height = rows.length * rowH + 28;
  const x = (msFromStart: number): number => labelW + (msFromStart / total) * plotW;
  const out: string[] = [
    `<svg class="waterfall" viewBox="0 0 ${labelW + plotW + 80} ${height}" width="100%" role="img" aria-label="trace waterfall">`,
  ];
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(
      `<line class="tick" x1="${r1(x(total * f))}" x2="${r1(x(total * f))}" y1="0" y2="${height - 20}"/><text class="tick-label" x="${r1(x(total * f))}" y="${height - 6}">${r1(total * f)} ms</text>`,
    );
  }
  rows.forEach((s, i) => {
    const y = i * rowH;
    const off = Date.parse(s.start) - start;
    const label = `${s.service}: ${s.name}`;
    out.push(
      `<text class="row-label" x="${8 + s.depth * 12}" y="${y + 14}">${esc(label.length > 48 - s.depth ? `${label.slice(0, 46 - s.depth)}…` : label)}</text>`,
      `<rect class="span ${s.status}" x="${r1(x(off))}" y="${y + 3}" width="${r1(Math.max((s.durationMs / total) * plotW, 2))}" height="${rowH - 6}"><title>${esc(label)} — ${s.durationMs} ms, ${s.status}${s.entity ? `, ${esc(s.entity)}` : ''}</title></rect>`,
      `<text class="span-ms" x="${r1(x(off) + Math.max((s.durationMs / total) * plotW, 2) + 4)}" y="${y + 14}">${r1(s.durationMs)} ms</text>`,
    );
  });
  out.push('</svg>');
  return out.join('');
}

/**
 * The topology laid out by dagre (left to right: owners and callers before what they own or call), nodes
 * coloured by kind; alerting entities highlighted, root causes marked when the truth is shown.
 */
export function topologySvg(
  topology: Topology,
  alerting: ReadonlySet<string>,
  rootCauses: ReadonlySet<string>,
): string {
  if (topology.entities.length === 0) return '<p class="empty">The snapshot has no topology.</p>';
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 70, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  const known = new Set(topology.entities.map((e) => e.id));
  for (const e of topology.entities) {
    const label = `${e.kind}/${e.name}`;
    g.setNode(e.id, { label, width: Math.max(90, label.length * 7 + 16), height: 26 });
  }
  topology.edges.forEach((e, i) => {
    if (known.has(e.from) && known.has(e.to) && e.from !== e.to)
      g.setEdge(e.from, e.to, { type: e.type }, `e${i}`);
  });
  dagre.layout(g);
  const graph = g.graph();
  const width = Math.ceil(graph.width ?? 800);
  const height = Math.ceil(graph.height ?? 400);
  const out: string[] = [
    `<svg class="topology" viewBox="0 0 ${width} ${height}" width="${Math.min(width, 1200)}" role="img" aria-label="topology">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrow"/></marker></defs>',
  ];
  for (const ref of g.edges()) {
    const edge = g.edge(ref) as { points?: Array<{ x: number; y: number }>; type?: string };
    const pts = edge.points ?? [];
    if (pts.length < 2) continue;
    out.push(
      `<polyline class="edge ${esc(edge.type ?? '')}" points="${pts.map((p) => `${r1(p.x)},${r1(p.y)}`).join(' ')}" marker-end="url(#arrow)"><title>${esc(`${ref.v} ${edge.type ?? ''} ${ref.w}`)}</title></polyline>`,
    );
  }
  for (const id of g.nodes()) {
    const n = g.node(id) as { x: number; y: number; width: number; height: number; label?: string };
    const kind = topology.entities.find((e) => e.id === id)?.kind ?? '';
    const cls = [
      'node',
      `kind-${kind.toLowerCase()}`,
      alerting.has(id) ? 'alerting' : '',
      rootCauses.has(id) ? 'root-cause' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const note = [alerting.has(id) ? 'alerting' : '', rootCauses.has(id) ? 'ROOT CAUSE' : '']
      .filter(Boolean)
      .join(', ');
    out.push(
      `<g class="${cls}" data-entity="${esc(id)}"><rect x="${r1(n.x - n.width / 2)}" y="${r1(n.y - n.height / 2)}" width="${r1(n.width)}" height="${r1(n.height)}" rx="5"/><text x="${r1(n.x)}" y="${r1(n.y + 4)}">${esc(n.label ?? id)}</text><title>${esc(id)}${note ? ` (${note})` : ''}</title></g>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}
