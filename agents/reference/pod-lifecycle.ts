import type { EntityId } from '../../src/entities/index.js';
import type { EntityIndex } from './entity-index.js';
import { eventTime } from './event-time.js';
import { idParts, makeId } from './kube.js';
import type { Snapshot } from './read-snapshot.js';
import { isoMs } from './time.js';

export interface PodLife {
  id: EntityId;
  workload?: EntityId;
  /** Created or scheduled inside the window (null: it was already running when the window opened). */
  started: number | null;
  /** Times it was told to stop (Killing events), excluding liveness restarts. */
  killed: number[];
  /** Liveness-probe restarts. */
  livenessKills: number[];
  /** The last failed liveness probe the events record (null: none). */
  lastLivenessFailure?: number | null;
  /** What its failed liveness probes said (one per Unhealthy event, however many times it repeated). */
  livenessFailures: string[];
  firstLog: number | null;
  lastLog: number | null;
}

/**
 * When each pod started and stopped inside the window, from pod objects, Scheduled/Started/Killing
 * events and the first and last log lines. Tells a pod that was replaced (deleted, rolled, evicted) from
 * one that kept running: fresh pods that fail from their first minute point at what they read at start.
 */
export function podLifecycles(snap: Snapshot, index: EntityIndex): Map<EntityId, PodLife> {
  const out = new Map<EntityId, PodLife>();
  const get = (id: EntityId): PodLife => {
    let p = out.get(id);
    if (!p) {
      const w = index.workloadOf(id)?.id;
      p = {
        id,
        started: null,
        killed: [],
        livenessKills: [],
        livenessFailures: [],
        firstLog: null,
        lastLog: null,
        ...(w ? { workload: w } : {}),
      };
      out.set(id, p);
    }
    return p;
  };
  const windowStart = snap.window.start;
  // Anything created within a few seconds of the window start may have been running before it: only later
  // starts count as fresh.
  const fresh = (t: number | null): t is number => t !== null && t > windowStart + 2000;
  for (const id of index.knownPods()) {
    const o = index.get(id);
    const created = isoMs(o?.metadata.creationTimestamp);
    const p = get(id);
    if (fresh(created)) p.started = created;
  }
  for (const e of snap.events) {
    if (e.involvedObject?.kind !== 'Pod') continue;
    const id = e.entity ?? makeId(e.involvedObject.namespace, 'Pod', e.involvedObject.name);
    const p = get(id);
    const t = eventTime(e, windowStart);
    if ((e.reason === 'Scheduled' || e.reason === 'Pulling' || e.reason === 'Created') && fresh(t))
      p.started = p.started === null ? t : Math.min(p.started, t);
    const last = isoMs(e.lastTimestamp) ?? t;
    if (e.reason === 'Unhealthy' && /^Liveness probe failed/i.test(e.message)) {
      p.livenessFailures.push(e.message);
      if (last !== null) p.lastLivenessFailure = Math.max(p.lastLivenessFailure ?? last, last);
    }
    if (e.reason === 'Killing' && t !== null) {
      if (/liveness|startup probe/i.test(e.message)) p.livenessKills.push(t);
      else p.killed.push(t);
    }
  }
  for (const [pod, buckets] of snap.logs.buckets) {
    if (idParts(pod).kind !== 'Pod') continue;
    const p = get(pod);
    const times = [...buckets.keys()];
    if (times.length === 0) continue;
    p.firstLog = Math.min(...times);
    p.lastLog = Math.max(...times);
  }
  return out;
}
