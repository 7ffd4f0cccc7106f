import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import type { BundleHandle } from '../bundle/bundle-reader.js';
import { SnapshotFile } from '../bundle/layout.js';
import type { LogRecord, MetricSeries, SpanRecord } from '../bundle/records.js';
import { tryParseEntityId } from '../entities/entity-id.js';
import { workloadOfPod } from '../entities/pod-workload.js';
import { writeTable, type Cell } from './delimited-writer.js';
import type { ExportedFile, Exporter } from './exporter.js';
import { GROUND_TRUTH_FILE, writeGroundTruth } from './ground-truth-file.js';
import { logFields } from './otel-mapping.js';
import { comparableValues, numericPoints } from './series-math.js';
import { epochNanos } from './time-format.js';

/**
 * RCAEval case layout (phamquiluan/RCAEval, RE1/RE2 datasets):
 *
 * ```
 * <dir>/data.csv          wide per-service metrics: time (unix s) + <service>_<metric> columns
 * <dir>/metrics.csv       wide raw metrics: time + one column per series
 * <dir>/logs.csv          time, timestamp (ns), container_name, pod_name, level, message
 * <dir>/traces.csv        traceID, spanID, parentSpanID, serviceName, operationName, startTime (µs),
 *                         duration (µs), statusCode
 * <dir>/inject_time.txt   unix seconds of the first fault
 * <truthDir>/root_cause.txt, ground_truth.json
 * ```
 */

export const DATA_METRICS = ['cpu', 'mem', 'latency-50', 'latency-90', 'workload', 'error'] as const;
export const LOG_COLUMNS = ['time', 'timestamp', 'container_name', 'pod_name', 'level', 'message'] as const;
export const TRACE_COLUMNS = [
  'traceID',
  'spanID',
  'parentSpanID',
  'serviceName',
  'operationName',
  'startTime',
  'duration',
  'statusCode',
] as const;

/** The service a series belongs to: its `service` label, else its pod's workload, else its job. */
function serviceOf(labels: Record<string, string>): string | null {
  if (labels.service) return labels.service;
  if (labels.pod) return workloadOfPod(labels.pod);
  if (labels.deployment) return labels.deployment;
  return null;
}

/** Buckets of one service's latency histogram: per timestamp, per `le`, the summed per-second increase. */
type Histogram = Map<number, Map<number, number>>;

/** histogram_quantile over cumulative buckets (linear within a bucket, as Prometheus does). */
export function bucketQuantile(q: number, buckets: ReadonlyMap<number, number>): number | null {
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  if (sorted.length === 0) return null;
  const total = sorted[sorted.length - 1][1];
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of sorted) {
    if (count >= rank) {
      if (le === Infinity) return prevLe;
      const inBucket = count - prevCount;
      return inBucket <= 0 ? le : prevLe + ((le - prevLe) * (rank - prevCount)) / inBucket;
    }
    prevLe = le;
    prevCount = count;
  }
  return sorted[sorted.length - 1][0];
}

const secondOf = (ts: number): number => Math.round(ts);

function addTo(m: Map<string, Map<number, number>>, column: string, t: number, v: number): void {
  let col = m.get(column);
  if (!col) m.set(column, (col = new Map()));
  col.set(t, (col.get(t) ?? 0) + v);
}

function seriesColumn(s: MetricSeries): string {
  const owner = serviceOf(s.labels) ?? s.labels.job ?? 'cluster';
  const rest = Object.keys(s.labels)
    .filter((k) => !['namespace', 'job', 'instance', 'service', 'app'].includes(k))
    .sort()
    .map((k) => `${k}=${s.labels[k]}`);
  return `${owner}_${s.name}${rest.length ? `{${rest.join(',')}}` : ''}`;
}

function wideRows(columns: Map<string, Map<number, number>>): { header: string[]; rows: Cell[][] } {
  const names = [...columns.keys()].sort();
  const times = [...new Set([...columns.values()].flatMap((c) => [...c.keys()]))].sort((a, b) => a - b);
  const rows = times.map((t) => [t, ...names.map((n) => columns.get(n)?.get(t) ?? null)]);
  return { header: ['time', ...names], rows };
}

export const rcaevalExporter: Exporter = {
  id: 'rcaeval',
  description:
    'RCAEval case: data.csv (wide, time column), metrics.csv, logs.csv, traces.csv, inject_time.txt',
  async write(bundle: BundleHandle, dir: string, truthDir: string) {
    const files: ExportedFile[] = [];
    const derived = new Map<string, Map<number, number>>();
    const raw = new Map<string, Map<number, number>>();
    const latency = new Map<string, Histogram>();
    if (bundle.has(SnapshotFile.metrics))
      for await (const s of bundle.readNdjson<MetricSeries>(SnapshotFile.metrics)) {
        const column = seriesColumn(s);
        for (const [ts, v] of numericPoints(s.points)) addTo(raw, column, secondOf(ts), v);
        const svc = serviceOf(s.labels);
        if (!svc) continue;
        if (s.name === 'container_cpu_usage_seconds_total')
          for (const [t, v] of comparableValues(s)) addTo(derived, `${svc}_cpu`, secondOf(t), v);
        else if (s.name === 'container_memory_working_set_bytes')
          for (const [t, v] of comparableValues(s)) addTo(derived, `${svc}_mem`, secondOf(t), v);
        else if (s.name === 'http_server_requests_total') {
          for (const [t, v] of comparableValues(s)) {
            addTo(derived, `${svc}_workload`, secondOf(t), v);
            addTo(derived, `${svc}_error`, secondOf(t), Number(s.labels.status) >= 500 ? v : 0);
          }
        } else if (s.name === 'http_server_request_duration_seconds_bucket' && s.labels.le !== undefined) {
          const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
          if (Number.isNaN(le)) continue;
          let h = latency.get(svc);
          if (!h) latency.set(svc, (h = new Map()));
          for (const [t, v] of comparableValues(s)) {
            const at = secondOf(t);
            let b = h.get(at);
            if (!b) h.set(at, (b = new Map()));
            b.set(le, (b.get(le) ?? 0) + v);
          }
        }
      }
    for (const [svc, h] of latency)
      for (const [t, buckets] of h) {
        const p50 = bucketQuantile(0.5, buckets);
        const p90 = bucketQuantile(0.9, buckets);
        if (p50 !== null) addTo(derived, `${svc}_latency-50`, t, p50);
        if (p90 !== null) addTo(derived, `${svc}_latency-90`, t, p90);
      }
    const data = wideRows(derived);
    files.push({
      path: 'data.csv',
      rows: await writeTable(join(dir, 'data.csv'), data.header, ',', data.rows),
    });
    const all = wideRows(raw);
    files.push({
      path: 'metrics.csv',
      rows: await writeTable(join(dir, 'metrics.csv'), all.header, ',', all.rows),
    });

    const logRows = async function* (): AsyncGenerator<Cell[]> {
      if (!bundle.has(SnapshotFile.logs)) return;
      for await (const log of bundle.readNdjson<LogRecord>(SnapshotFile.logs)) {
        const ms = Date.parse(log.ts);
        const p = tryParseEntityId(log.entity);
        yield [
          ms / 1000,
          epochNanos(ms),
          log.container,
          p.ok ? p.ref.name : '',
          logFields(log).severityText,
          log.line,
        ];
      }
    };
    files.push({
      path: 'logs.csv',
      rows: await writeTable(join(dir, 'logs.csv'), LOG_COLUMNS, ',', logRows()),
    });

    const traceRows = async function* (): AsyncGenerator<Cell[]> {
      if (!bundle.has(SnapshotFile.traces)) return;
      for await (const span of bundle.readNdjson<SpanRecord>(SnapshotFile.traces)) {
        const code = span.attributes?.[ATTR_HTTP_RESPONSE_STATUS_CODE];
        yield [
          span.traceId,
          span.spanId,
          span.parentSpanId ?? '',
          span.service,
          span.name,
          Math.round(Date.parse(span.start) * 1000),
          Math.round(span.durationMs * 1000),
          typeof code === 'number' || typeof code === 'string' ? code : span.status === 'error' ? 500 : '',
        ];
      }
    };
    files.push({
      path: 'traces.csv',
      rows: await writeTable(join(dir, 'traces.csv'), TRACE_COLUMNS, ',', traceRows()),
    });

    const truth = await bundle.groundTruth();
    const injected = truth.injectedAt ?? bundle.manifest.times.injectedAt;
    if (injected) {
      await writeFile(join(dir, 'inject_time.txt'), `${Math.floor(Date.parse(injected) / 1000)}\n`, {
        flag: 'wx',
      });
      files.push({ path: 'inject_time.txt', rows: 1 });
    }
    const names = truth.rootCauses.map((rc) => {
      const p = tryParseEntityId(rc.id);
      return p.ok ? (p.ref.kind === 'Pod' ? workloadOfPod(p.ref.name) : p.ref.name) : rc.id;
    });
    await writeFile(join(truthDir, 'root_cause.txt'), `${[...new Set(names)].join('\n')}\n`, { flag: 'wx' });
    await writeGroundTruth(truthDir, truth);
    return {
      files,
      truth: [
        { path: 'root_cause.txt', rows: new Set(names).size },
        { path: GROUND_TRUTH_FILE, rows: truth.rootCauses.length },
      ],
    };
  },
};
