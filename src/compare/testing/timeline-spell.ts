import type { AlertTimelineEntry, Labels } from '../../bundle/records.js';

/** One spell of an alerts timeline, its times given in milliseconds (`end` null: still on at capture). */
export function timelineSpell(
  alertname: string,
  labels: Labels,
  state: 'pending' | 'firing',
  startMs: number,
  endMs: number | null,
): AlertTimelineEntry {
  const iso = (ms: number): string => new Date(ms).toISOString();
  return { alertname, labels, state, start: iso(startMs), end: endMs === null ? null : iso(endMs) };
}
