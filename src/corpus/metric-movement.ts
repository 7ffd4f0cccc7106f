import type { MetricSeries } from '../bundle/records.js';
import { comparableValues, mean, stdDev } from '../export/series-math.js';

/** Tunables of the "moved" test; the defaults are what docs/corpus.md documents. */
export interface MovementOptions {
  /** Baseline standard deviations the mean must shift by (default 3). */
  sigmas?: number;
  /** Relative change of the baseline mean the shift must also exceed (default 0.5 = 50 %). */
  relative?: number;
  /** Fewest baseline values needed to judge at all (default 3). */
  minBaseline?: number;
  /** Fewest incident values needed (default 2). */
  minIncident?: number;
}

export interface Movement {
  moved: boolean;
  baselineMean: number;
  baselineSd: number;
  /** The incident statistic that moved furthest (mean of the whole incident part, or of its last third). */
  incidentMean: number;
  /** Why the series could not be judged, when it could not. */
  skipped?: string;
}

/**
 * Whether a series moved beyond its warm-up baseline once the fault was in.
 *
 * Values: counters (`_total`, `_count`, `_sum`, `_bucket`) as per-second rates, gauges as they are;
 * NaN/Inf dropped. Baseline B: the values before `injectedAtSec` (without an injection time: the first
 * third of the values). Incident I: the values at or after it (without one: the last third). The series
 * moved when, for I or for the last third of I (the state at capture), the shift of the mean
 * d = |mean − mean(B)| is greater than both `sigmas` × sd(B) and `relative` × |mean(B)|. Both, so that
 * neither a tiny but noiseless change nor a large swing of an always-noisy series counts.
 */
export function seriesMovement(
  series: Pick<MetricSeries, 'name' | 'points'>,
  injectedAtSec: number | null,
  opts: MovementOptions = {},
): Movement {
  const sigmas = opts.sigmas ?? 3;
  const relative = opts.relative ?? 0.5;
  const minBaseline = opts.minBaseline ?? 3;
  const minIncident = opts.minIncident ?? 2;
  const values = comparableValues(series);
  let baseline: number[];
  let incident: number[];
  if (injectedAtSec !== null) {
    baseline = values.filter(([t]) => t < injectedAtSec).map(([, v]) => v);
    incident = values.filter(([t]) => t >= injectedAtSec).map(([, v]) => v);
  } else {
    const third = Math.floor(values.length / 3);
    baseline = values.slice(0, third).map(([, v]) => v);
    incident = values.slice(values.length - third).map(([, v]) => v);
  }
  const b = mean(baseline);
  const sd = stdDev(baseline);
  if (baseline.length < minBaseline || incident.length < minIncident)
    return {
      moved: false,
      baselineMean: b,
      baselineSd: sd,
      incidentMean: mean(incident),
      skipped: `too few values (baseline ${baseline.length}, incident ${incident.length})`,
    };
  const tail = incident.slice(incident.length - Math.max(1, Math.floor(incident.length / 3)));
  const threshold = Math.max(sigmas * sd, relative * Math.abs(b));
  let best = mean(incident);
  for (const m of [mean(incident), mean(tail)]) if (Math.abs(m - b) > Math.abs(best - b)) best = m;
  // Strictly greater: a flat series (sd 0) at 0 that stays at 0 has d = 0 and does not move.
  return { moved: Math.abs(best - b) > threshold, baselineMean: b, baselineSd: sd, incidentMean: best };
}
