import type { MetricSeries } from '../bundle/records.js';
import { workloadOfPod } from '../entities/pod-workload.js';
import { bucketQuantile } from '../export/rcaeval.js';
import { comparableValues } from '../export/series-math.js';

/** The shop's RED metrics (docs/shop.md), as every service exports them. */
export const REQUESTS_METRIC = 'http_server_requests_total';
export const LATENCY_BUCKETS_METRIC = 'http_server_request_duration_seconds_bucket';

/** Per-service request signals over time, summed over pods and routes; times in Unix seconds. */
export interface ServiceSignals {
  service: string;
  /** Unix seconds of each step (the capture step), ascending. */
  times: number[];
  /** Requests per second at each step. */
  rate: Array<number | null>;
  /** Share of requests answered ≥ 500 at each step (null without requests). */
  errorRatio: Array<number | null>;
  /** p95 latency in milliseconds at each step (null without requests). */
  p95Ms: Array<number | null>;
  /** Raw per-step sums, for aggregates over an interval (summarizeSignals). */
  steps: Map<number, ServiceStep>;
}

export interface ServiceStep {
  requests: number;
  errors: number;
  /** Per `le` (seconds, Infinity for +Inf): the summed per-second increase of the cumulative buckets. */
  buckets: Map<number, number>;
}

/** The service a series belongs to: its `service` label, else its pod's workload, else its deployment. */
export function serviceOfLabels(labels: Record<string, string>): string | null {
  if (labels.service) return labels.service;
  if (labels.pod) return workloadOfPod(labels.pod);
  if (labels.deployment) return labels.deployment;
  return null;
}

/** Counters of several pods are stamped a few milliseconds apart: one step per whole second. */
const stepOf = (ts: number): number => Math.round(ts);

/**
 * Rate, error ratio and p95 per service from the shop's RED series: per-second increases of each
 * counter between samples (resets counted from 0, as rate() does), summed per service and step; p95 is
 * histogram_quantile over the summed bucket increases.
 */
export async function serviceSignals(
  metrics: AsyncIterable<MetricSeries> | Iterable<MetricSeries>,
): Promise<ServiceSignals[]> {
  const byService = new Map<string, Map<number, ServiceStep>>();
  const stepFor = (svc: string, t: number): ServiceStep => {
    let steps = byService.get(svc);
    if (!steps) byService.set(svc, (steps = new Map()));
    let s = steps.get(t);
    if (!s) steps.set(t, (s = { requests: 0, errors: 0, buckets: new Map() }));
    return s;
  };
  for await (const series of metrics) {
    if (series.name !== REQUESTS_METRIC && series.name !== LATENCY_BUCKETS_METRIC) continue;
    const svc = serviceOfLabels(series.labels);
    if (!svc) continue;
    if (series.name === REQUESTS_METRIC) {
      const isError = Number(series.labels.status) >= 500;
      for (const [t, v] of comparableValues(series)) {
        const s = stepFor(svc, stepOf(t));
        s.requests += v;
        if (isError) s.errors += v;
      }
    } else {
      const le = series.labels.le === '+Inf' ? Infinity : Number(series.labels.le);
      if (series.labels.le === undefined || Number.isNaN(le)) continue;
      for (const [t, v] of comparableValues(series)) {
        const b = stepFor(svc, stepOf(t)).buckets;
        b.set(le, (b.get(le) ?? 0) + v);
      }
    }
  }
  return [...byService.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, steps]) => {
      const times = [...steps.keys()].sort((a, b) => a - b);
      const at = times.map((t) => steps.get(t) as ServiceStep);
      return {
        service,
        times,
        rate: at.map((s) => s.requests),
        errorRatio: at.map((s) => (s.requests > 0 ? s.errors / s.requests : null)),
        p95Ms: at.map((s) => p95Of(s.buckets)),
        steps,
      };
    });
}

function p95Of(buckets: ReadonlyMap<number, number>): number | null {
  const q = bucketQuantile(0.95, buckets);
  return q === null ? null : q * 1000;
}

/** One service over an interval: what `bundle diff` compares. */
export interface ServiceSummary {
  /** Mean requests per second. */
  rate: number;
  /** Errors / requests over the interval; null without requests. */
  errorRatio: number | null;
  /** p95 over every request of the interval, milliseconds; null without requests. */
  p95Ms: number | null;
}

/** Aggregates the steps in [fromSec, toSec]: mean rate, overall error ratio, p95 of the pooled buckets. */
export function summarizeSignals(s: ServiceSignals, fromSec: number, toSec: number): ServiceSummary | null {
  let requests = 0;
  let errors = 0;
  let n = 0;
  const pooled = new Map<number, number>();
  for (const [t, step] of s.steps) {
    if (t < fromSec || t > toSec) continue;
    n++;
    requests += step.requests;
    errors += step.errors;
    for (const [le, v] of step.buckets) pooled.set(le, (pooled.get(le) ?? 0) + v);
  }
  if (n === 0) return null;
  return {
    rate: requests / n,
    errorRatio: requests > 0 ? errors / requests : null,
    p95Ms: requests > 0 ? p95Of(pooled) : null,
  };
}
