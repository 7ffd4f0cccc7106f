import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { BundleHandle } from '../bundle/bundle-reader.js';
import { SnapshotFile } from '../bundle/layout.js';
import type {
  ActiveAlert,
  AlertsFile,
  AlertTimelineEntry,
  EventRecord,
  Labels,
  LogRecord,
  MetricSeries,
  ObjectRecord,
  SpanRecord,
  Topology,
} from '../bundle/records.js';
import { tryParseEntityId } from '../entities/entity-id.js';
import { lookupKind } from '../entities/kinds.js';
import { SPAN_KIND_ATTRIBUTE, STATUS_MESSAGE_ATTRIBUTE } from '../telemetry/otlp-normalize.js';
import { DelimitedWriter, writeTable, type Cell } from './delimited-writer.js';
import type { ExportedFile, Exporter } from './exporter.js';
import { logFields, podDeployments, podResource, spanKind, statusCodeName } from './otel-mapping.js';
import { alertFileTime, clickhouseTime, clickhouseTimeOf } from './time-format.js';

/**
 * ITBench-Lite snapshot layout (the SRE scenarios of ibm-research/ITBench-Lite, as the ITBench SRE
 * agent's offline tools read them):
 *
 * ```
 * <dir>/alerts/alerts_at_<YYYY-MM-DDTHH-MM-SS.ffffff>.json   Prometheus /api/v1/alerts responses
 * <dir>/metrics/<kind>_<name>_raw.tsv                        one file per pod (else deployment, service...)
 * <dir>/k8s_events_raw.tsv                                   OTel k8sobjects watch records, Body = {type, object}
 * <dir>/k8s_objects_raw.tsv                                  OTel k8sobjects pull records, Body = the object
 * <dir>/otel_logs_raw.tsv                                    ClickHouse otel_logs rows
 * <dir>/otel_traces_raw.tsv                                  ClickHouse otel_traces rows
 * <truthDir>/ground_truth.yaml                               groups[] with root_cause: true, kept apart
 * ```
 * docs/export-formats.md lists the column mapping and what is approximated.
 */

/** Columns of the OTel ClickHouse exporter's otel_logs table (events and objects use it too). */
export const OTEL_LOG_COLUMNS = [
  'Timestamp',
  'TimestampTime',
  'TraceId',
  'SpanId',
  'TraceFlags',
  'SeverityText',
  'SeverityNumber',
  'ServiceName',
  'Body',
  'ResourceSchemaUrl',
  'ResourceAttributes',
  'ScopeSchemaUrl',
  'ScopeName',
  'ScopeVersion',
  'ScopeAttributes',
  'LogAttributes',
] as const;

/** Columns of the OTel ClickHouse exporter's otel_traces table. */
export const OTEL_TRACE_COLUMNS = [
  'Timestamp',
  'TraceId',
  'SpanId',
  'ParentSpanId',
  'TraceState',
  'SpanName',
  'SpanKind',
  'ServiceName',
  'ResourceAttributes',
  'ScopeName',
  'ScopeVersion',
  'SpanAttributes',
  'Duration',
  'StatusCode',
  'StatusMessage',
  'Events.Timestamp',
  'Events.Name',
  'Events.Attributes',
  'Links.TraceId',
  'Links.SpanId',
  'Links.TraceState',
  'Links.Attributes',
] as const;

export const METRIC_COLUMNS = [
  'timestamp',
  'metric_name',
  'namespace',
  'service_name',
  'pod_name',
  'bucket_le',
  'value',
  'tags',
] as const;

const json = (v: unknown): string => JSON.stringify(v);

function logRow(o: {
  ts: string;
  severityText?: string;
  severityNumber?: number;
  traceId?: string;
  spanId?: string;
  service?: string;
  body: string;
  resource?: Record<string, string>;
  scope?: string;
  attributes?: Record<string, string>;
}): Cell[] {
  return [
    o.ts,
    o.ts.slice(0, 19),
    o.traceId ?? '',
    o.spanId ?? '',
    0,
    o.severityText ?? '',
    o.severityNumber ?? 0,
    o.service ?? '',
    o.body,
    '',
    json(o.resource ?? {}),
    '',
    o.scope ?? '',
    '',
    json({}),
    json(o.attributes ?? {}),
  ];
}

/** The Prometheus alert the API would have returned for a timeline stretch active at `at`. */
function alertAt(
  entry: AlertTimelineEntry,
  activeAt: string,
  active: ReadonlyMap<string, ActiveAlert>,
): Record<string, unknown> {
  const key = seriesKey(entry.alertname, entry.labels);
  const now = active.get(key);
  return {
    labels: { alertname: entry.alertname, ...entry.labels },
    annotations: now?.annotations ?? {},
    state: entry.state,
    activeAt,
    ...(now?.value !== undefined ? { value: now.value } : {}),
  };
}

function seriesKey(alertname: string, labels: Labels): string {
  const { alertname: _a, ...rest } = labels;
  return `${alertname}${JSON.stringify(
    Object.keys(rest)
      .sort()
      .map((k) => [k, rest[k]]),
  )}`;
}

/** `alerts/`: what polling Prometheus' alerts API at each state change, and at capture, returned. */
async function writeAlerts(bundle: BundleHandle, dir: string): Promise<ExportedFile[]> {
  await mkdir(join(dir, 'alerts'), { recursive: true });
  const alerts = bundle.has(SnapshotFile.alerts)
    ? await bundle.readJson<AlertsFile>(SnapshotFile.alerts)
    : { active: [], timeline: [] };
  const active = new Map((alerts.active ?? []).map((a) => [seriesKey(a.alertname, a.labels), a]));
  const timeline = [...(alerts.timeline ?? [])].sort((a, b) => a.start.localeCompare(b.start));
  const bySeries = new Map<string, AlertTimelineEntry[]>();
  for (const t of timeline) {
    const k = seriesKey(t.alertname, t.labels);
    bySeries.set(k, [...(bySeries.get(k) ?? []), t]);
  }
  // A series is active since the start of its unbroken run of pending/firing stretches.
  const activeSince = (t: AlertTimelineEntry): string => {
    const list = bySeries.get(seriesKey(t.alertname, t.labels)) ?? [t];
    let i = list.indexOf(t);
    while (
      i > 0 &&
      list[i - 1].end !== null &&
      Date.parse(list[i - 1].end as string) >= Date.parse(list[i].start) - 1000
    )
      i--;
    return list[i].start;
  };
  const captured = Date.parse(bundle.manifest.times.capturedAt);
  const times = [...new Set(timeline.map((t) => Date.parse(t.start)))]
    .filter((t) => t < captured)
    .sort((a, b) => a - b);
  const files: ExportedFile[] = [];
  for (const t of times) {
    const now = timeline.filter((e) => Date.parse(e.start) <= t && (e.end === null || Date.parse(e.end) > t));
    const body = {
      status: 'success',
      timestamp: new Date(t).toISOString(),
      data: { alerts: now.map((e) => alertAt(e, activeSince(e), active)) },
    };
    const rel = `alerts/alerts_at_${alertFileTime(t)}.json`;
    await writeFile(join(dir, rel), `${JSON.stringify(body, null, 2)}\n`, { flag: 'wx' });
    files.push({ path: rel, rows: now.length });
  }
  const final = {
    status: 'success',
    timestamp: new Date(captured).toISOString(),
    data: {
      alerts: (alerts.active ?? []).map((a) => ({
        labels: { alertname: a.alertname, ...a.labels },
        annotations: a.annotations,
        state: a.state,
        activeAt: a.activeAt,
        ...(a.value !== undefined ? { value: a.value } : {}),
      })),
    },
  };
  const rel = `alerts/alerts_at_${alertFileTime(captured)}.json`;
  await writeFile(join(dir, rel), `${JSON.stringify(final, null, 2)}\n`, { flag: 'wx' });
  files.push({ path: rel, rows: final.data.alerts.length });
  return files;
}

/** The object a series belongs to, as ITBench names metric files: `pod_<name>`, else deployment, service... */
function metricFileStem(labels: Labels): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]/g, '_');
  if (labels.pod) return `pod_${safe(labels.pod)}`;
  if (labels.deployment) return `deployment_${safe(labels.deployment)}`;
  if (labels.service) return `service_${safe(labels.service)}`;
  if (labels.node) return `node_${safe(labels.node)}`;
  if (labels.namespace) return `namespace_${safe(labels.namespace)}`;
  return `job_${safe(labels.job ?? 'unknown')}`;
}

function metricValue(v: number | string): Cell {
  if (typeof v === 'number') return v;
  return v === '+Inf' ? 'inf' : v === '-Inf' ? '-inf' : 'NaN';
}

async function writeMetrics(bundle: BundleHandle, dir: string): Promise<ExportedFile[]> {
  await mkdir(join(dir, 'metrics'), { recursive: true });
  const writers = new Map<string, DelimitedWriter>();
  try {
    if (bundle.has(SnapshotFile.metrics))
      for await (const s of bundle.readNdjson<MetricSeries>(SnapshotFile.metrics)) {
        const rel = `metrics/${metricFileStem(s.labels)}_raw.tsv`;
        let w = writers.get(rel);
        if (!w) {
          w = new DelimitedWriter(join(dir, rel), METRIC_COLUMNS, '\t');
          writers.set(rel, w);
        }
        const tags = json({ __name__: s.name, ...s.labels });
        for (const [ts, v] of s.points)
          await w.row([
            clickhouseTime(ts * 1000),
            s.name,
            s.labels.namespace ?? '',
            s.labels.service ?? '',
            s.labels.pod ?? '',
            s.labels.le ?? '',
            metricValue(v),
            tags,
          ]);
      }
  } finally {
    for (const w of writers.values()) await w.close();
  }
  return [...writers.entries()]
    .map(([path, w]) => ({ path, rows: w.rows }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** Deterministic stand-in for an Event's generated name suffix. */
function eventName(ev: EventRecord, n: number): string {
  let h = 2166136261;
  for (const c of `${ev.entity}|${ev.reason}|${ev.firstTimestamp}|${n}`)
    h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return `${ev.involvedObject.name}.${h.toString(16).padStart(8, '0')}`;
}

/** The resource name (`pods`, `namespaces`, `endpoints`) the k8sobjects receiver records objects under. */
function plural(kind: string): string {
  const lower = kind.toLowerCase();
  return (
    lookupKind(kind)?.aliases.find((a) => a.startsWith(lower) && a !== lower) ??
    (lower.endsWith('s') ? lower : `${lower}s`)
  );
}

export const itbenchLiteExporter: Exporter = {
  id: 'itbench-lite',
  description:
    'ITBench-Lite SRE snapshot: alerts/, metrics/, k8s_events_raw.tsv, k8s_objects_raw.tsv, otel_logs_raw.tsv, otel_traces_raw.tsv',
  async write(bundle, dir, truthDir) {
    const files: ExportedFile[] = [];
    files.push(...(await writeAlerts(bundle, dir)));
    files.push(...(await writeMetrics(bundle, dir)));
    const topology = bundle.has(SnapshotFile.topology)
      ? await bundle.readJson<Topology>(SnapshotFile.topology)
      : { entities: [], edges: [] };
    const deployments = podDeployments(topology);

    const eventRows = async function* (): AsyncGenerator<Cell[]> {
      if (!bundle.has(SnapshotFile.events)) return;
      let n = 0;
      for await (const ev of bundle.readNdjson<EventRecord>(SnapshotFile.events)) {
        const { entity: _e, ...event } = ev;
        const object = {
          kind: 'Event',
          apiVersion: 'v1',
          metadata: { name: eventName(ev, n++), namespace: ev.involvedObject.namespace ?? 'default' },
          ...event,
        };
        yield logRow({
          ts: clickhouseTimeOf(ev.lastTimestamp),
          severityText: ev.type === 'Warning' ? 'WARN' : 'INFO',
          severityNumber: ev.type === 'Warning' ? 13 : 9,
          body: json({ type: 'ADDED', object }),
          scope: 'k8sobjectsreceiver',
          attributes: {
            'k8s.resource.name': 'events',
            'event.domain': 'k8s',
            'event.name': object.metadata.name,
          },
        });
      }
    };
    files.push({
      path: 'k8s_events_raw.tsv',
      rows: await writeTable(join(dir, 'k8s_events_raw.tsv'), OTEL_LOG_COLUMNS, '\t', eventRows()),
    });

    const captured = clickhouseTimeOf(bundle.manifest.times.capturedAt);
    const objectRows = async function* (): AsyncGenerator<Cell[]> {
      if (!bundle.has(SnapshotFile.objects)) return;
      for await (const obj of bundle.readNdjson<ObjectRecord>(SnapshotFile.objects)) {
        const { entity: _e, ...k8s } = obj;
        yield logRow({
          ts: captured,
          body: json(k8s),
          scope: 'k8sobjectsreceiver',
          attributes: { 'k8s.resource.name': plural(obj.kind) },
        });
      }
    };
    files.push({
      path: 'k8s_objects_raw.tsv',
      rows: await writeTable(join(dir, 'k8s_objects_raw.tsv'), OTEL_LOG_COLUMNS, '\t', objectRows()),
    });

    const logRows = async function* (): AsyncGenerator<Cell[]> {
      if (!bundle.has(SnapshotFile.logs)) return;
      for await (const log of bundle.readNdjson<LogRecord>(SnapshotFile.logs)) {
        const f = logFields(log);
        const resource = podResource(log.entity, log.container, deployments);
        const service = f.service || log.container;
        if (service) resource[ATTR_SERVICE_NAME] = service;
        yield logRow({
          ts: clickhouseTimeOf(log.ts),
          severityText: f.severityText,
          severityNumber: f.severityNumber,
          traceId: f.traceId,
          spanId: f.spanId,
          service,
          body: log.line,
          resource,
          attributes: { 'log.iostream': log.stream },
        });
      }
    };
    files.push({
      path: 'otel_logs_raw.tsv',
      rows: await writeTable(join(dir, 'otel_logs_raw.tsv'), OTEL_LOG_COLUMNS, '\t', logRows()),
    });

    const traceRows = async function* (): AsyncGenerator<Cell[]> {
      if (!bundle.has(SnapshotFile.traces)) return;
      for await (const span of bundle.readNdjson<SpanRecord>(SnapshotFile.traces)) {
        const resource = podResource(span.entity, null, deployments);
        resource[ATTR_SERVICE_NAME] = span.service;
        const {
          [SPAN_KIND_ATTRIBUTE]: _k,
          [STATUS_MESSAGE_ATTRIBUTE]: message,
          ...attrs
        } = span.attributes ?? {};
        const spanAttributes: Record<string, string> = {};
        for (const [k, v] of Object.entries(attrs)) spanAttributes[k] = String(v);
        yield [
          clickhouseTimeOf(span.start),
          span.traceId,
          span.spanId,
          span.parentSpanId ?? '',
          '',
          span.name,
          spanKind(span),
          span.service,
          json(resource),
          '',
          '',
          json(spanAttributes),
          Math.round(span.durationMs * 1e6),
          statusCodeName(span.status),
          typeof message === 'string' ? message : '',
          '[]',
          '[]',
          '[]',
          '[]',
          '[]',
          '[]',
          '[]',
        ];
      }
    };
    files.push({
      path: 'otel_traces_raw.tsv',
      rows: await writeTable(join(dir, 'otel_traces_raw.tsv'), OTEL_TRACE_COLUMNS, '\t', traceRows()),
    });

    const truth = await bundle.groundTruth();
    const groupOf = (entity: string, rootCause: boolean, aliases: string[] = []): Record<string, unknown> => {
      const p = tryParseEntityId(entity);
      const ref = p.ok ? p.ref : { kind: '', name: entity };
      return {
        id: `${ref.name}-${ref.kind.toLowerCase()}`,
        kind: ref.kind,
        name: ref.name,
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        root_cause: rootCause,
        entity,
        ...(rootCause ? { aliases } : {}),
      };
    };
    const groups = new Map<string, Record<string, unknown>>();
    for (const rc of truth.rootCauses) groups.set(rc.id, groupOf(rc.id, true, rc.aliases));
    // ITBench's propagations: one source → target link per hop of every path, with what was seen there.
    const propagations = new Map<
      string,
      { source: string; target: string; condition: string; effect: string }
    >();
    for (const rc of truth.rootCauses)
      for (const chain of rc.propagation ?? [])
        for (const hop of chain.path) {
          for (const e of [hop.from, hop.to]) if (!groups.has(e)) groups.set(e, groupOf(e, false));
          const source = String(groups.get(hop.from)?.id);
          const target = String(groups.get(hop.to)?.id);
          propagations.set(`${source}>${target}`, {
            source,
            target,
            condition: hop.edge,
            effect: hop.effects.join('; ') || 'no symptom of its own',
          });
        }
    const gt = {
      id: bundle.manifest.bundleId,
      groups: [...groups.values()],
      propagations: [...propagations.values()],
      faults: truth.faults,
      injected_at: truth.injectedAt,
      manifested_at: truth.manifestedAt,
      expected_alerts: truth.expectedAlerts,
      fired_alerts: truth.firedAlerts,
    };
    await writeFile(
      join(truthDir, 'ground_truth.yaml'),
      `# ground truth of ${bundle.manifest.bundleId}, exported by firedrill; never show it to an agent\n${stringify(gt)}`,
      { flag: 'wx' },
    );
    return { files, truth: [{ path: 'ground_truth.yaml', rows: groups.size }] };
  },
};
