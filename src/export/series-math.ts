import type { MetricPoint, MetricSeries } from '../bundle/records.js';

/**
 * Turning raw Prometheus series into values a human (or an RCA method) compares over time. Shared by
 * the corpus' "moved" test and the exporters, so both read counters the same way.
 */

/** A point with a finite numeric value: `[unix seconds, value]`. */
export type NumericPoint = [ts: number, value: number];

/**
 * Counters only ever grow (until a restart), so their raw values always "move"; what matters is how
 * fast they grow. Prometheus naming conventions mark them: `_total`, and the histogram/summary parts
 * `_count`, `_sum` and `_bucket`.
 */
export function isCounterName(name: string): boolean {
  return /(_total|_count|_sum|_bucket)$/.test(name);
}

/** Finite values only; `NaN`, `+Inf` and `-Inf` (and anything else non-numeric) are dropped. */
export function numericPoints(points: readonly MetricPoint[]): NumericPoint[] {
  const out: NumericPoint[] = [];
  for (const [ts, v] of points) if (typeof v === 'number' && Number.isFinite(v)) out.push([ts, v]);
  return out;
}

/**
 * Per-second increase between consecutive points, stamped with the later point's time. A drop is a
 * counter reset (a restarted process starts again from 0), counted as an increase of the new value,
 * as Prometheus' rate() does.
 */
export function perSecondRates(points: readonly NumericPoint[]): NumericPoint[] {
  const out: NumericPoint[] = [];
  for (let i = 1; i < points.length; i++) {
    const [t0, v0] = points[i - 1];
    const [t1, v1] = points[i];
    const dt = t1 - t0;
    if (dt <= 0) continue;
    const inc = v1 >= v0 ? v1 - v0 : v1;
    out.push([t1, inc / dt]);
  }
  return out;
}

/** What a series means over time: per-second rates for counters, the values themselves for gauges. */
export function comparableValues(series: Pick<MetricSeries, 'name' | 'points'>): NumericPoint[] {
  const pts = numericPoints(series.points);
  return isCounterName(series.name) ? perSecondRates(pts) : pts;
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Population standard deviation. */
export function stdDev(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) * (x - m), 0) / xs.length);
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
