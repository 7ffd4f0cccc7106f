import type { MetricSeries } from '../bundle/records.js';

/** How old the cluster looks at capture: both ages in whole seconds, drawn per run (run-plan.ts). */
export interface HistoryAges {
  /** How long before the warmup this run's app looks deployed (its Deployments, ReplicaSets, pods). */
  appAgeMs: number;
  /** How much older still everything from before this run's reset looks (node, namespaces, Services). */
  clusterAgeMs: number;
}

/** Fields whose time is a report of the present (a heartbeat), not of when something happened. */
const CURRENT_TIME_KEYS = new Set(['lastHeartbeatTime']);

const ISO_TIME = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?Z\b/g;

/** kube-state-metrics' and the client libraries' series whose value is a Unix time in seconds. */
const TIME_VALUED =
  /(_created|_start_time|_start_time_seconds|_completion_time|_last_schedule_time|_last_successful_time|_state_started)$/;

/**
 * Moves what happened before a run back into a past a production cluster would have. A testbed's cluster
 * is minutes old and its app a few seconds old when a run's warmup starts, and in a corpus the cluster's age
 * also counts the runs before this one, so ages would tell which scenario ran (the corpus runs them in
 * order). Every time before the warmup is moved back: the app's (from the reset on) by `appAgeMs`, anything
 * older by `clusterAgeMs` more, so the gap between the two carries no run's position. Times from the run's
 * start on (after the reset: background, warmup, the window) are left as they were.
 */
export class HistoryShift {
  private readonly resetStartMs: number;
  private readonly runStartMs: number;

  /**
   * `resetStartMs` and `runStartMs` are taken down to their second: objects carry whole-second times, so
   * an object made in the second a phase began reads as older than the phase. The runner starts both
   * phases on a whole second (runner/phases/reset.ts), so no object of the earlier one shares that second.
   */
  constructor(
    resetStartMs: number,
    runStartMs: number,
    private readonly ages: HistoryAges,
  ) {
    this.resetStartMs = Math.floor(resetStartMs / 1000) * 1000;
    this.runStartMs = Math.floor(runStartMs / 1000) * 1000;
  }

  time(ms: number): number {
    if (ms >= this.runStartMs) return ms;
    if (ms >= this.resetStartMs) return ms - this.ages.appAgeMs;
    return ms - this.ages.appAgeMs - this.ages.clusterAgeMs;
  }

  /**
   * The text with every RFC 3339 UTC time in it moved, written with the precision it had. A node's
   * `lastHeartbeatTime` says how recently the kubelet reported, not when anything happened: it stays.
   */
  text(s: string, key?: string): string {
    if (key !== undefined && CURRENT_TIME_KEYS.has(key)) return s;
    if (!s.includes('T')) return s;
    return s.replace(ISO_TIME, (whole, secs: string, frac: string | undefined) => {
      const ms = Date.parse(`${secs}${frac ? frac.slice(0, 4) : ''}Z`);
      if (!Number.isFinite(ms)) return whole;
      const moved = this.time(ms);
      if (moved === ms) return whole;
      const iso = new Date(moved).toISOString();
      // Shifts are whole seconds, so digits past the millisecond carry over unchanged.
      return `${iso.slice(0, 19)}${frac ? `${iso.slice(19, 23)}${frac.slice(4)}` : ''}Z`;
    });
  }

  /** A series whose values are Unix times (kube_pod_created, process_start_time_seconds) moved alike. */
  series(s: MetricSeries): MetricSeries {
    if (!TIME_VALUED.test(s.name)) return s;
    return {
      ...s,
      points: s.points.map(([t, v]) => [
        t,
        typeof v === 'number' && v > 1e9 ? this.time(v * 1000) / 1000 : v,
      ]),
    };
  }
}
