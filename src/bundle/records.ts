import type { EntityId } from '../entities/entity-id.js';

/**
 * Record shapes of the snapshot files (docs/bundle-format.md). Capture writes them, exporters and agents'
 * tooling read them. Times are ISO-8601 strings in UTC unless a field says otherwise; `entity` fields
 * carry canonical entity ids (`namespace/Kind/name`) so every signal joins the topology.
 */

/** Kubernetes-style string labels. */
export type { Labels } from '../entities/labels.js';
import type { Labels } from '../entities/labels.js';

// --- snapshot/alerts.json ---------------------------------------------------------------------------

export type AlertState = 'pending' | 'firing';

/** An alert active when the snapshot was captured (Prometheus /api/v1/alerts shape, plus `entity`). */
export interface ActiveAlert {
  alertname: string;
  state: AlertState;
  labels: Labels;
  annotations: Labels;
  /** When the alert became active (pending), as Prometheus reports it. */
  activeAt: string;
  /** The rule expression's value when last evaluated, as Prometheus prints it (e.g. "0.93"). */
  value?: string;
  /** The entity the alert's labels point at, when they point at one. */
  entity?: EntityId;
}

/** One continuous stretch of one alert series in one state inside the window. */
export interface AlertTimelineEntry {
  alertname: string;
  labels: Labels;
  state: AlertState;
  start: string;
  /** null: still in this state at capture. */
  end: string | null;
}

export interface AlertsFile {
  active: ActiveAlert[];
  /** Sorted by start, then alertname. */
  timeline: AlertTimelineEntry[];
}

// --- snapshot/events.ndjson -------------------------------------------------------------------------

/** A Kubernetes Event (core/v1 shape, trimmed) that happened in the window. */
export interface EventRecord {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  involvedObject: { kind: string; namespace?: string; name: string };
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  source: { component: string; host?: string };
  /** Canonical id of involvedObject. */
  entity: EntityId;
}

// --- snapshot/logs.ndjson ---------------------------------------------------------------------------

export interface LogRecord {
  ts: string;
  /** The pod (or process standing in for one on the local substrate). */
  entity: EntityId;
  container: string;
  stream: 'stdout' | 'stderr';
  /** The raw line as the container wrote it, without the trailing newline. */
  line: string;
}

// --- snapshot/metrics.ndjson ------------------------------------------------------------------------

/** Prometheus' spelling of values JSON numbers cannot carry. */
export type SpecialMetricValue = 'NaN' | '+Inf' | '-Inf';
/** `[unix time in seconds (fractions allowed), value]`. */
export type MetricPoint = [ts: number, value: number | SpecialMetricValue];

/** One series per line, points sorted by time. */
export interface MetricSeries {
  /** The metric name (`__name__`); not repeated in labels. */
  name: string;
  labels: Labels;
  points: MetricPoint[];
}

// --- snapshot/traces.ndjson -------------------------------------------------------------------------

export type SpanStatus = 'unset' | 'ok' | 'error';
/** OpenTelemetry's SpanKind, lower case; `unspecified` is left out (the field is then absent). */
export type SpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** One span per line. */
export interface SpanRecord {
  /** 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits. */
  spanId: string;
  /** null for a root span. */
  parentSpanId: string | null;
  /** OpenTelemetry service.name. */
  service: string;
  name: string;
  start: string;
  end: string;
  durationMs: number;
  status: SpanStatus;
  attributes: Record<string, string | number | boolean>;
  /** The entity that emitted the span, when known. */
  entity: EntityId | null;
  /** The span's kind as the emitter set it; absent in bundles captured before it was kept. */
  kind?: SpanKind;
  /**
   * The emitter's OpenTelemetry resource attributes (`service.name`, `k8s.pod.name`...), so the span can be
   * exported again as OTLP; absent in bundles captured before they were kept.
   */
  resource?: Record<string, string | number | boolean>;
}

// --- snapshot/topology.json -------------------------------------------------------------------------

export interface TopologyEntity {
  id: EntityId;
  kind: string;
  name: string;
  /** Absent for cluster-scoped kinds. */
  namespace?: string;
  labels?: Labels;
}

/**
 * `owns`: owner → owned (Deployment → ReplicaSet → Pod); `selects`: Service or NetworkPolicy → Pod;
 * `calls`: caller → callee, from traces; `runs-on`: Pod → Node; `uses`: Pod → ConfigMap/Secret/PVC;
 * `scales`: HorizontalPodAutoscaler → its target; `limits`: LimitRange → every workload of its namespace
 * (admission holds each new pod of theirs to it).
 */
export type TopologyEdgeType = 'owns' | 'selects' | 'calls' | 'runs-on' | 'uses' | 'scales' | 'limits';

export interface TopologyEdge {
  from: EntityId;
  to: EntityId;
  type: TopologyEdgeType;
}

export interface Topology {
  entities: TopologyEntity[];
  edges: TopologyEdge[];
}

// --- snapshot/objects.ndjson ------------------------------------------------------------------------

/**
 * A sanitized Kubernetes object as `kubectl get -o json` shows it, plus `entity`. Secret data,
 * managedFields and anything naming firedrill or the fault are removed before it is written.
 */
export interface ObjectRecord {
  entity: EntityId;
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Labels;
    annotations?: Labels;
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid?: string;
      controller?: boolean;
    }>;
    creationTimestamp?: string;
    /** Spec changes the API server counted (workload kinds only, as a cluster returns them). */
    generation?: number;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  /** ConfigMap data; never present for Secrets. */
  data?: Record<string, string>;
}

// --- snapshot/object-changes.ndjson -----------------------------------------------------------------

/**
 * One change to an object in the window, as an audit log shows it: when, what happened, and the object
 * after the change (before it, for a deletion); a modification also carries the version before.
 */
export interface ObjectChange {
  ts: string;
  action: 'ADDED' | 'MODIFIED' | 'DELETED';
  entity: EntityId;
  object: ObjectRecord;
  before?: ObjectRecord;
}
