import type { EventRecord } from '../../src/bundle/records.js';
import { isoMs } from './time.js';

/**
 * When an event's occurrence inside the window started. Kubernetes folds repeats into one event that
 * keeps its first timestamp, which may be long before the window (a readiness failure at start-up, the
 * same scale-down in an earlier incident on a reused cluster): then the repeats are assumed to have come
 * at a probe period (5 s) before the last one, and never before the window.
 */
export function eventTime(e: EventRecord, windowStart: number): number | null {
  const first = isoMs(e.firstTimestamp);
  const last = isoMs(e.lastTimestamp);
  if (first === null) return last;
  if (last === null || first >= windowStart - 5000) return first;
  const count = Math.max(1, e.count ?? 1);
  return Math.max(windowStart, last - (count - 1) * 5000);
}

/**
 * True when the event's repeats began before the window, so its in-window start is only an estimate: a
 * symptom dated by it must not set the onset of the trouble.
 */
export function foldedFromBefore(e: EventRecord, windowStart: number): boolean {
  const first = isoMs(e.firstTimestamp);
  return first !== null && first < windowStart - 5000;
}
