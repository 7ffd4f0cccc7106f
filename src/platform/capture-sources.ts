import type { LogRecord, SpanRecord } from '../bundle/records.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { ObjectApi } from './object-api.js';
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
  /**
   * How a text of the evidence reads in a cluster, when the substrate stages with stand-ins a cluster
   * would not show (the local substrate's loopback addresses); applied to every string written to
   * `snapshot/`. Absent: the evidence is written as collected.
   */
  present?(text: string): string;
}
