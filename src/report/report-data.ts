import type { BundleHandle } from '../bundle/bundle-reader.js';
import type { GroundTruth } from '../bundle/ground-truth.js';
import { SnapshotFile, TruthFile } from '../bundle/layout.js';
import type {
  AlertsFile,
  EventRecord,
  LogRecord,
  MetricSeries,
  SpanRecord,
  Topology,
} from '../bundle/records.js';
import { serviceSignals } from '../compare/service-signals.js';
import { alertEntity } from '../entities/alert-entity.js';

/** Everything the HTML report shows, read from a bundle once. */
export interface ReportData {
  bundleId: string;
  substrate: string;
  window: { start: number; end: number };
  capturedAt: number;
  alerts: AlertsFile;
  /** Per service, aligned on `times` (Unix seconds; null where a service had no sample). */
  charts: {
    times: number[];
    services: Array<{
      service: string;
      rate: Array<number | null>;
      errorPct: Array<number | null>;
      p95Ms: Array<number | null>;
    }>;
  };
  events: EventRecord[];
  /** The slowest trace and one with an error span (the one closest to the first alert), when any. */
  traces: { slowest: SpanRecord[] | null; failing: SpanRecord[] | null };
  topology: Topology;
  /** Entities an alert pointed at (active or on the timeline, pending or firing). */
  alerting: string[];
  /**
   * The first alert still firing at capture (else the first firing, else pending): the moment the log
   * excerpt is centred on; null when none.
   */
  firstAlert: { at: number; alertname: string } | null;
  logs: LogRecord[];
  /** Lines of the window in all, to say how much the excerpt shows. */
  logLines: number;
  truth: TruthView | null;
}

/** What `--with-truth` adds: for task authors only. */
export interface TruthView {
  scenarioId: string;
  injectedAt: number | null;
  manifestedAt: number | null;
  faults: GroundTruth['faults'];
  rootCauses: string[];
  aliases: string[];
  background: Array<{
    kind: string;
    target: string | null;
    at: string;
    undoneAt: string | null;
    detail: string;
  }>;
}

/** How far around the first alert the log excerpt reaches, and how many lines it keeps at most. */
export const LOG_EXCERPT_MS = 30_000;
export const LOG_EXCERPT_LINES = 200;
const ms = (iso: string): number => Date.parse(iso);

/** Spans of one trace in display order: depth first from the roots, children by start time. */
export function traceOrder(spans: readonly SpanRecord[]): Array<SpanRecord & { depth: number }> {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, SpanRecord[]>();
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  for (const list of children.values()) list.sort((a, b) => a.start.localeCompare(b.start));
  const out: Array<SpanRecord & { depth: number }> = [];
  const walk = (parent: string | null, depth: number): void => {
    for (const s of children.get(parent) ?? []) {
      out.push({ ...s, depth });
      if (depth < 50) walk(s.spanId, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

function pickTraces(spans: readonly SpanRecord[], near: number | null): ReportData['traces'] {
  const byTrace = new Map<string, SpanRecord[]>();
  for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
  let slowest: [string, number] | null = null;
  let failing: [string, number] | null = null;
  for (const [id, list] of byTrace) {
    const start = Math.min(...list.map((s) => ms(s.start)));
    const end = Math.max(...list.map((s) => ms(s.start) + s.durationMs));
    if (!slowest || end - start > slowest[1]) slowest = [id, end - start];
    if (list.some((s) => s.status === 'error')) {
      const distance = near === null ? -start : Math.abs(start - near);
      if (!failing || distance < failing[1]) failing = [id, distance];
    }
  }
  return {
    slowest: slowest ? (byTrace.get(slowest[0]) ?? null) : null,
    failing: failing ? (byTrace.get(failing[0]) ?? null) : null,
  };
}

export async function readReportData(b: BundleHandle, withTruth: boolean): Promise<ReportData> {
  const m = b.manifest;
  const window = { start: ms(m.times.windowStart), end: ms(m.times.windowEnd) };
  const alerts = b.has(SnapshotFile.alerts)
    ? await b.readJson<AlertsFile>(SnapshotFile.alerts)
    : { active: [], timeline: [] };

  // The incident's alerts are still firing at capture (the run waits for them); a blip of routine
  // activity earlier in the window has usually ended: prefer the first of those still firing.
  const firing = alerts.timeline.filter((t) => t.state === 'firing');
  const ongoing = firing.filter((t) => t.end === null);
  const pool = ongoing.length > 0 ? ongoing : firing.length > 0 ? firing : alerts.timeline;
  const first = pool.reduce<{ at: number; alertname: string } | null>(
    (acc, t) => (acc === null || ms(t.start) < acc.at ? { at: ms(t.start), alertname: t.alertname } : acc),
    null,
  );

  const signals = b.has(SnapshotFile.metrics)
    ? await serviceSignals(b.readNdjson<MetricSeries>(SnapshotFile.metrics))
    : [];
  const times = [...new Set(signals.flatMap((s) => s.times))].sort((x, y) => x - y);
  const aligned = <T>(s: { times: number[] }, values: Array<T | null>): Array<T | null> => {
    const at = new Map(s.times.map((t, i) => [t, values[i]]));
    return times.map((t) => at.get(t) ?? null);
  };
  const charts = {
    times,
    services: signals.map((s) => ({
      service: s.service,
      rate: aligned(s, s.rate),
      errorPct: aligned(
        s,
        s.errorRatio.map((r) => (r === null ? null : r * 100)),
      ),
      p95Ms: aligned(s, s.p95Ms),
    })),
  };

  const events: EventRecord[] = [];
  if (b.has(SnapshotFile.events))
    for await (const e of b.readNdjson<EventRecord>(SnapshotFile.events)) events.push(e);
  events.sort((x, y) => Date.parse(x.lastTimestamp) - Date.parse(y.lastTimestamp));

  const spans: SpanRecord[] = [];
  if (b.has(SnapshotFile.traces))
    for await (const s of b.readNdjson<SpanRecord>(SnapshotFile.traces)) spans.push(s);
  const traces = pickTraces(spans, first?.at ?? null);

  const topology = b.has(SnapshotFile.topology)
    ? await b.readJson<Topology>(SnapshotFile.topology)
    : { entities: [], edges: [] };
  const alerting = new Set<string>();
  for (const a of alerts.active) {
    const e = a.entity ?? alertEntity(a.labels);
    if (e) alerting.add(e);
  }
  for (const t of alerts.timeline) {
    const e = alertEntity(t.labels);
    if (e) alerting.add(e);
  }

  const logs: LogRecord[] = [];
  let logLines = 0;
  const centre = first?.at ?? window.start;
  if (b.has(SnapshotFile.logs))
    for await (const l of b.readNdjson<LogRecord>(SnapshotFile.logs)) {
      logLines++;
      const t = ms(l.ts);
      if (t >= centre - LOG_EXCERPT_MS && t <= centre + LOG_EXCERPT_MS) logs.push(l);
    }
  logs.sort((x, y) => x.ts.localeCompare(y.ts));
  // Keep the lines closest to the alert when there are too many.
  const excerpt =
    logs.length <= LOG_EXCERPT_LINES
      ? logs
      : [...logs]
          .sort((x, y) => Math.abs(ms(x.ts) - centre) - Math.abs(ms(y.ts) - centre))
          .slice(0, LOG_EXCERPT_LINES)
          .sort((x, y) => x.ts.localeCompare(y.ts));

  let truth: TruthView | null = null;
  if (withTruth) {
    const gt = await b.groundTruth();
    const background = b.has(TruthFile.background)
      ? ((await b.readJson<{ actions?: TruthView['background'] }>(TruthFile.background)).actions ?? [])
      : [];
    truth = {
      scenarioId: gt.scenarioId,
      injectedAt: gt.injectedAt ? ms(gt.injectedAt) : null,
      manifestedAt: gt.manifestedAt ? ms(gt.manifestedAt) : null,
      faults: gt.faults,
      rootCauses: gt.rootCauses.map((r) => r.id),
      aliases: gt.rootCauses.flatMap((r) => r.aliases),
      background,
    };
  }

  return {
    bundleId: m.bundleId,
    substrate: m.substrate,
    window,
    capturedAt: ms(m.times.capturedAt),
    alerts,
    charts,
    events,
    traces,
    topology,
    alerting: [...alerting].sort(),
    firstAlert: first,
    logs: excerpt,
    logLines,
    truth,
  };
}
