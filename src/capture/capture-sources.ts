import type { LogRecord, SpanRecord } from '../bundle/records.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { ObjectApi } from '../substrates/object-api.js';
import type { PrometheusApi } from '../telemetry/prometheus-api.js';

export interface CaptureWindow {
  start: Date;
  end: Date;
}

/** Where each signal comes from. Every substrate provides one; the collectors are shared. */
export interface CaptureSources {
  prometheus: PrometheusApi;
  objects: ObjectApi;
  /** core/v1 Events, every namespace. */
  events(): Promise<KubeObject[]>;
  /** Container log lines in the window, including containers that have since died. */
  logs(window: CaptureWindow): Promise<LogRecord[]>;
  traces(window: CaptureWindow): Promise<SpanRecord[]>;
}

/** What belongs to the incident: the app's namespaces; the testbed's own namespace is never captured. */
export interface CaptureScope {
  namespaces: string[];
  /** Prometheus jobs whose series are captured. */
  jobs: string[];
  /** Query step, seconds (the scrape interval). */
  stepSec: number;
}

export const DEFAULT_SCOPE: CaptureScope = {
  namespaces: ['shop'],
  jobs: ['shop', 'kube-state-metrics', 'kubelet'],
  stepSec: 5,
};

/** Trace services that are testbed machinery, not part of the app. */
export const MACHINERY_SERVICES = new Set(['flags', 'loadgen']);
