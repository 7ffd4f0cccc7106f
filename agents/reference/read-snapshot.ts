import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AlertsFile,
  EventRecord,
  LogRecord,
  MetricSeries,
  ObjectRecord,
  SpanRecord,
  Topology,
} from '../../src/bundle/records.js';
import type { EntityId } from '../../src/entities/entity-id.js';
import { readNdjson, type ReadProblems } from './ndjson.js';
import { isoMs } from './time.js';

/** One create/update/delete of an object during the window (`snapshot/object-changes.ndjson`, optional). */
export interface ObjectChange {
  at: number;
  action: 'ADDED' | 'MODIFIED' | 'DELETED';
  entity: EntityId;
  object: ObjectRecord | null;
  /** The version before a MODIFIED, as the snapshot records it (null when it does not). */
  before?: ObjectRecord | null;
}

/** The parts of a span the signals use; attributes are reduced to the few that locate a failure. */
export interface SpanLite {
  traceId: string;
  spanId: string;
  parentId: string | null;
  service: string;
  name: string;
  kind: 'server' | 'client' | 'internal';
  start: number;
  end: number;
  durationMs: number;
  error: boolean;
  httpStatus?: number;
  /** `error.type` or the status description: ECONNREFUSED, ETIMEDOUT, http_error... */
  errorType?: string;
  /** peer.service: the dependency a client span calls. */
  peer?: string;
  /** server.address:port a client span dialled. */
  address?: string;
  /** db.system of a datastore call (redis, sqlite). */
  db?: string;
  /** A queue's side of the span: it published a message, or processed one (its parent is the publisher's). */
  messaging?: 'producer' | 'consumer';
  entity: EntityId | null;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug';

export interface LogEntry {
  at: number;
  pod: EntityId;
  container: string;
  level: LogLevel;
  msg: string;
  structured: boolean;
  errCode?: string;
  dependency?: string;
  url?: string;
  /** host:port the line names (redis connection errors carry it). */
  address?: string;
  status?: number;
  traceId?: string;
  /** A failed attempt the caller will retry (`retrying: true`): often followed by success. */
  retrying?: boolean;
}

export interface LevelCounts {
  error: number;
  warn: number;
  total: number;
}

/** The logs reduced to what the signals need: 5 MB of access lines never sit in memory. */
export interface LogDigest {
  /** Lines at warn or above and unstructured lines, capped per pod (first ones kept: onsets matter). */
  notable: LogEntry[];
  /** Last lines per `pod|container`: what a process said before it died. */
  tails: Map<string, LogEntry[]>;
  /** Per pod, per bucket start (ms): line counts by level. */
  buckets: Map<EntityId, Map<number, LevelCounts>>;
  /** Per pod: access-log answers with status >= 400 by `METHOD path status` (a probe path that 404s). */
  failedPaths: Map<EntityId, Map<string, number>>;
  lines: number;
}

export interface Snapshot {
  dir: string;
  alerts: AlertsFile;
  events: EventRecord[];
  objects: ObjectRecord[];
  objectChanges: ObjectChange[];
  /** object-changes.ndjson was there: every change in the window is recorded, so an absent one did not happen. */
  historyRecorded?: boolean;
  topology: Topology;
  metrics: MetricSeries[];
  spans: SpanLite[];
  logs: LogDigest;
  /** The window task.md states, else the span of the data; bounds only, never a fault time. */
  window: { start: number; end: number };
  warnings: string[];
}

export const BUCKET_MS = 5000;
const NOTABLE_PER_POD = 4000;
const TAIL_LINES = 8;
const MAX_MSG = 400;

/** Reads `snapshotDir` (a bundle's snapshot/ directory), streaming the large files. */
export async function readSnapshot(snapshotDir: string): Promise<Snapshot> {
  const problems: ReadProblems = { warnings: [] };
  const file = (name: string): string => join(snapshotDir, name);

  const alerts = normalizeAlerts(await readJson<Partial<AlertsFile>>(file('alerts.json'), problems));
  const topologyRaw = await readJson<Partial<Topology>>(file('topology.json'), problems);
  const topology: Topology = {
    entities: Array.isArray(topologyRaw?.entities) ? topologyRaw.entities : [],
    edges: Array.isArray(topologyRaw?.edges) ? topologyRaw.edges : [],
  };
  const events: EventRecord[] = [];
  for await (const e of readNdjson<EventRecord>(file('events.ndjson'), problems)) events.push(e);
  const objects: ObjectRecord[] = [];
  for await (const o of readNdjson<ObjectRecord>(file('objects.ndjson'), problems)) {
    if (o.metadata && typeof o.kind === 'string') objects.push(o);
  }
  const objectChanges: ObjectChange[] = [];
  for await (const c of readNdjson<{
    ts?: string;
    action?: string;
    entity?: string;
    object?: ObjectRecord;
    before?: ObjectRecord;
  }>(file('object-changes.ndjson'), problems)) {
    const at = isoMs(c.ts);
    if (at === null || typeof c.entity !== 'string') continue;
    if (c.action !== 'ADDED' && c.action !== 'MODIFIED' && c.action !== 'DELETED') continue;
    objectChanges.push({
      at,
      action: c.action,
      entity: c.entity,
      object: c.object ?? null,
      before: c.before ?? null,
    });
  }
  objectChanges.sort((a, b) => a.at - b.at);

  const metrics: MetricSeries[] = [];
  for await (const m of readNdjson<MetricSeries>(file('metrics.ndjson'), problems)) {
    if (typeof m.name === 'string' && wantedMetric(m.name) && Array.isArray(m.points)) metrics.push(m);
  }
  const spans: SpanLite[] = [];
  for await (const s of readNdjson<SpanRecord>(file('traces.ndjson'), problems)) {
    const lite = liteSpan(s);
    if (lite) spans.push(lite);
  }
  const logs = await digestLogs(file('logs.ndjson'), problems);
  const taskText = await readFile(file('task.md'), 'utf8').catch(() => '');

  const snap: Snapshot = {
    dir: snapshotDir,
    alerts,
    events,
    objects,
    objectChanges,
    historyRecorded: await access(file('object-changes.ndjson')).then(
      () => true,
      () => false,
    ),
    topology,
    metrics,
    spans,
    logs,
    window: { start: 0, end: 0 },
    warnings: problems.warnings,
  };
  snap.window = windowOf(taskText, snap);
  return snap;
}

async function readJson<T>(path: string, problems: ReadProblems): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      problems.warnings.push(`${path}: ${(err as Error).message}`);
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    problems.warnings.push(`${path}: not JSON (${(err as Error).message})`);
    return undefined;
  }
}

function normalizeAlerts(raw: Partial<AlertsFile> | undefined): AlertsFile {
  return {
    active: Array.isArray(raw?.active) ? raw.active : [],
    timeline: Array.isArray(raw?.timeline) ? raw.timeline : [],
  };
}

/**
 * The series the signals read. Everything else (histogram buckets, runtime internals, cAdvisor's file
 * system and network series on a cluster) is dropped while streaming, which bounds memory whatever the
 * capture scraped.
 */
export const WANTED_METRICS: ReadonlySet<string> = new Set([
  'container_cpu_cfs_periods_total',
  'container_cpu_cfs_throttled_periods_total',
  'container_cpu_usage_seconds_total',
  'container_memory_working_set_bytes',
  'container_spec_memory_limit_bytes',
  'http_client_requests_total',
  'http_server_requests_total',
  'kube_deployment_metadata_generation',
  'kube_deployment_spec_replicas',
  'kube_deployment_status_replicas',
  'kube_deployment_status_replicas_available',
  'kube_horizontalpodautoscaler_spec_max_replicas',
  'kube_horizontalpodautoscaler_status_current_replicas',
  'kube_node_spec_unschedulable',
  'kube_pod_container_resource_limits',
  'kube_pod_container_status_last_terminated_reason',
  'kube_pod_container_status_restarts_total',
  'kube_pod_container_status_waiting_reason',
  'kube_pod_info',
  'kube_pod_init_container_status_last_terminated_reason',
  'kube_pod_init_container_status_restarts_total',
  'kube_pod_init_container_status_waiting_reason',
  'kube_pod_owner',
  'kube_pod_status_phase',
  'kube_pod_status_ready',
  'kube_resourcequota',
  'redis_commands_total',
  'db_client_operations_total',
  'queue_consumer_lag',
  'queue_messages_processed_total',
  'up',
]);

function wantedMetric(name: string): boolean {
  return WANTED_METRICS.has(name);
}

function liteSpan(s: SpanRecord): SpanLite | null {
  const start = isoMs(s.start);
  if (start === null || typeof s.spanId !== 'string' || typeof s.traceId !== 'string') return null;
  const a = s.attributes ?? {};
  const durationMs =
    typeof s.durationMs === 'number' ? s.durationMs : Math.max(0, (isoMs(s.end) ?? start) - start);
  const str = (k: string): string | undefined =>
    typeof a[k] === 'string' && a[k] !== '' ? (a[k] as string) : undefined;
  const num = (k: string): number | undefined => (typeof a[k] === 'number' ? (a[k] as number) : undefined);
  const host = str('server.address');
  const port =
    num('server.port') ?? (typeof a['server.port'] === 'string' ? Number(a['server.port']) : undefined);
  const lite: SpanLite = {
    traceId: s.traceId,
    spanId: s.spanId,
    parentId: s.parentSpanId ?? null,
    service: typeof s.service === 'string' ? s.service : 'unknown',
    name: typeof s.name === 'string' ? s.name : '',
    kind: spanKind(a, s.kind),
    start,
    end: start + durationMs,
    durationMs,
    error: s.status === 'error',
    entity: s.entity ?? null,
  };
  const status = num('http.response.status_code') ?? num('http.status_code');
  if (status !== undefined) lite.httpStatus = status;
  const errorType = str('error.type') ?? str('otel.status_description') ?? str('exception.type');
  if (errorType) lite.errorType = errorType.slice(0, 200);
  const peer = str('peer.service');
  if (peer) lite.peer = peer;
  if (host) lite.address = port !== undefined ? `${host}:${port}` : host;
  else {
    const url = str('url.full');
    if (url) lite.address = hostPortOfUrl(url);
  }
  const db = str('db.system');
  if (db) lite.db = db;
  const role = (s.kind ?? str('span.kind') ?? '').toLowerCase();
  if (role === 'producer' || role === 'consumer') lite.messaging = role;
  return lite;
}

/** The span's kind as the emitter recorded it, else inferred from the attributes OTel conventions set. */
function spanKind(a: Record<string, string | number | boolean>, recorded?: string): SpanLite['kind'] {
  const declared = (recorded ?? (typeof a['span.kind'] === 'string' ? a['span.kind'] : '')).toLowerCase();
  if (declared === 'server' || declared === 'consumer') return 'server';
  if (declared === 'client' || declared === 'producer') return 'client';
  if (declared === 'internal') return 'internal';
  if ('peer.service' in a || 'url.full' in a || 'server.address' in a || 'db.system' in a) return 'client';
  if ('http.route' in a || 'http.request.method' in a || 'http.method' in a) return 'server';
  return 'internal';
}

export function hostPortOfUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
    return port ? `${u.hostname}:${port}` : u.hostname;
  } catch {
    return undefined;
  }
}

const LEVEL_WORDS: Record<string, LogLevel> = {
  fatal: 'fatal',
  panic: 'fatal',
  critical: 'fatal',
  error: 'error',
  err: 'error',
  warn: 'warn',
  warning: 'warn',
  info: 'info',
  notice: 'info',
  debug: 'debug',
  trace: 'debug',
};
const PINO_LEVELS: Record<number, LogLevel> = {
  60: 'fatal',
  50: 'error',
  40: 'warn',
  30: 'info',
  20: 'debug',
  10: 'debug',
};

async function digestLogs(path: string, problems: ReadProblems): Promise<LogDigest> {
  const digester = new LogDigester();
  for await (const r of readNdjson<LogRecord>(path, problems)) digester.add(r);
  return digester.finish();
}

/** Folds log records into a LogDigest one at a time (the reader streams; tests feed arrays). */
export class LogDigester {
  private readonly digest: LogDigest = {
    notable: [],
    tails: new Map(),
    buckets: new Map(),
    failedPaths: new Map(),
    lines: 0,
  };
  private readonly perPod = new Map<EntityId, number>();

  add(r: LogRecord): void {
    if (typeof r.line !== 'string' || typeof r.entity !== 'string') return;
    const entry = parseLogLine(r);
    if (!entry) return;
    const digest = this.digest;
    digest.lines++;
    const bucketStart = Math.floor(entry.at / BUCKET_MS) * BUCKET_MS;
    let byBucket = digest.buckets.get(entry.pod);
    if (!byBucket) digest.buckets.set(entry.pod, (byBucket = new Map()));
    let counts = byBucket.get(bucketStart);
    if (!counts) byBucket.set(bucketStart, (counts = { error: 0, warn: 0, total: 0 }));
    counts.total++;
    if (entry.level === 'error' || entry.level === 'fatal') counts.error++;
    else if (entry.level === 'warn') counts.warn++;

    const tailKey = `${entry.pod}|${entry.container}`;
    let tail = digest.tails.get(tailKey);
    if (!tail) digest.tails.set(tailKey, (tail = []));
    tail.push(entry);
    if (tail.length > TAIL_LINES) tail.shift();

    if (entry.structured && entry.level === 'info' && entry.status !== undefined && entry.status >= 400) {
      const method = r.line.match(/"method":"([A-Z]+)"/)?.[1] ?? '';
      const path = r.line.match(/"path":"([^"]*)"/)?.[1] ?? '?';
      let paths = digest.failedPaths.get(entry.pod);
      if (!paths) digest.failedPaths.set(entry.pod, (paths = new Map()));
      const k = `${method} ${path} ${entry.status}`;
      if (paths.size < 200 || paths.has(k)) paths.set(k, (paths.get(k) ?? 0) + 1);
    }
    const notable =
      entry.level === 'fatal' || entry.level === 'error' || entry.level === 'warn' || !entry.structured;
    if (notable) {
      const n = this.perPod.get(entry.pod) ?? 0;
      if (n < NOTABLE_PER_POD) {
        digest.notable.push(entry);
        this.perPod.set(entry.pod, n + 1);
      }
    }
  }

  finish(): LogDigest {
    this.digest.notable.sort((a, b) => a.at - b.at);
    return this.digest;
  }
}

/** A log record as a LogEntry: JSON lines (pino and most structured loggers) or plain text. */
export function parseLogLine(r: LogRecord): LogEntry | null {
  const at = isoMs(r.ts);
  if (at === null) return null;
  const base = { at, pod: r.entity, container: typeof r.container === 'string' ? r.container : '' };
  const line = r.line;
  if (line.startsWith('{')) {
    let j: Record<string, unknown> | null = null;
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) j = v as Record<string, unknown>;
    } catch {
      j = null;
    }
    if (j) {
      const lv = j.level ?? j.severity ?? j.lvl;
      const level =
        typeof lv === 'number'
          ? (PINO_LEVELS[lv] ?? 'info')
          : typeof lv === 'string'
            ? (LEVEL_WORDS[lv.toLowerCase()] ?? 'info')
            : 'info';
      const msg = typeof j.msg === 'string' ? j.msg : typeof j.message === 'string' ? j.message : line;
      const entry: LogEntry = { ...base, level, msg: msg.slice(0, MAX_MSG), structured: true };
      const s = (k: string): string | undefined => (typeof j[k] === 'string' ? (j[k] as string) : undefined);
      const errCode = s('err_code') ?? s('code');
      if (errCode) entry.errCode = errCode;
      const dep = s('dependency');
      if (dep) entry.dependency = dep;
      const url = s('url');
      if (url) entry.url = url;
      const address = s('address');
      if (address) entry.address = address;
      if (typeof j.status === 'number') entry.status = j.status;
      if (typeof j.retrying === 'boolean') entry.retrying = j.retrying;
      const tid = s('trace_id') ?? s('traceId');
      if (tid) entry.traceId = tid;
      return entry;
    }
  }
  return { ...base, level: plainLevel(line, r.stream), msg: line.slice(0, MAX_MSG), structured: false };
}

function plainLevel(line: string, stream: string): LogLevel {
  if (/\b(fatal|panic|out of memory|segmentation fault)\b/i.test(line)) return 'fatal';
  if (/\b(error|exception|failed|failure|refused|denied|cannot|unable|ERR)\b/i.test(line)) return 'error';
  if (/\b(warn|warning|retry|retrying|timeout|timed out)\b/i.test(line)) return 'warn';
  return stream === 'stderr' ? 'warn' : 'info';
}

function windowOf(taskText: string, snap: Snapshot): { start: number; end: number } {
  const iso = taskText.match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)/g) ?? [];
  const a = isoMs(iso[0]);
  const b = isoMs(iso[1]);
  if (a !== null && b !== null && b > a) return { start: a, end: b };
  let start = Infinity;
  let end = -Infinity;
  for (const m of snap.metrics) {
    const p0 = m.points[0];
    const pn = m.points[m.points.length - 1];
    if (p0) start = Math.min(start, p0[0] * 1000);
    if (pn) end = Math.max(end, pn[0] * 1000);
  }
  for (const s of snap.spans) {
    start = Math.min(start, s.start);
    end = Math.max(end, s.end);
  }
  for (const e of snap.events) {
    const t = isoMs(e.lastTimestamp);
    if (t !== null) {
      start = Math.min(start, isoMs(e.firstTimestamp) ?? t);
      end = Math.max(end, t);
    }
  }
  return Number.isFinite(start) && Number.isFinite(end) ? { start, end } : { start: 0, end: 0 };
}
