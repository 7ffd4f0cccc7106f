import type { Labels, MetricPoint } from '../bundle/records.js';

export type { Labels, MetricPoint } from '../bundle/records.js';

/** A point in time for a query: a Date, or milliseconds since the epoch (what Clock.now() returns). */
export type TimeInput = Date | number;

export interface VectorSample {
  metric: Labels;
  /** `[unix seconds, value]`; NaN and infinities stay as Prometheus spells them. */
  value: MetricPoint;
}

export interface RangeSeries {
  metric: Labels;
  values: MetricPoint[];
}

export type InstantQueryResult =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: RangeSeries[] }
  | { resultType: 'scalar'; result: MetricPoint }
  | { resultType: 'string'; result: [number, string] };

/** An alert as /api/v1/alerts reports it. */
export interface PrometheusAlert {
  labels: Labels;
  annotations: Labels;
  state: 'pending' | 'firing' | 'inactive';
  /** When the alert became pending (RFC 3339); absent for inactive ones. */
  activeAt?: string;
  /** The rule expression's value, as Prometheus prints it. */
  value: string;
}

export interface AlertingRule {
  type: 'alerting';
  name: string;
  query: string;
  /** Seconds. */
  duration: number;
  labels: Labels;
  annotations: Labels;
  alerts: PrometheusAlert[];
  health: string;
  lastError?: string;
  state?: 'pending' | 'firing' | 'inactive';
}

export interface RecordingRule {
  type: 'recording';
  name: string;
  query: string;
  labels: Labels;
  health: string;
  lastError?: string;
}

export interface RuleGroup {
  name: string;
  file: string;
  /** Evaluation interval in seconds. */
  interval: number;
  rules: Array<AlertingRule | RecordingRule>;
}

export interface ActiveTarget {
  discoveredLabels: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
}

export interface TargetsResult {
  activeTargets: ActiveTarget[];
  droppedTargets: Array<{ discoveredLabels: Labels }>;
}

/**
 * Prometheus' HTTP API, as capture and readiness checks use it. The real client is
 * PrometheusHttpClient; tests of capture code pass a fake. Failures throw PrometheusApiError.
 */
export interface PrometheusApi {
  /** Instant query at `time` (default: now on the server). */
  query(expr: string, time?: TimeInput): Promise<InstantQueryResult>;
  /** Range query; `stepSec` in seconds. */
  queryRange(expr: string, start: TimeInput, end: TimeInput, stepSec: number): Promise<RangeSeries[]>;
  /** Label sets of the series matching any selector in `match`. */
  series(match: readonly string[], start?: TimeInput, end?: TimeInput): Promise<Labels[]>;
  labelValues(
    label: string,
    opts?: { match?: readonly string[]; start?: TimeInput; end?: TimeInput },
  ): Promise<string[]>;
  alerts(): Promise<PrometheusAlert[]>;
  rules(opts?: { type?: 'alert' | 'record' }): Promise<RuleGroup[]>;
  targets(state?: 'active' | 'dropped' | 'any'): Promise<TargetsResult>;
}
