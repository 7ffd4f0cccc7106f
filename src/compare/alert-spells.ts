import type { ActiveAlert, AlertTimelineEntry } from '../bundle/records.js';

/**
 * The longest gap between a pending spell's last sample and the firing spell it became. The capture
 * samples `ALERTS` every 5 s (capture-scope.ts) and records a spell's end at its last sample in that
 * state, so the two are one step apart; three steps allow for a sample Prometheus skipped.
 */
const PENDING_TO_FIRING_GAP_MS = 15_000;

/** One spell of the timeline with its times in milliseconds (`end` null: still in that state at capture). */
interface Spell {
  entry: AlertTimelineEntry;
  start: number;
  end: number | null;
}

/** The alert and its labels, whatever order the labels were written in. */
function spellKey(t: Pick<AlertTimelineEntry, 'alertname' | 'labels'>): string {
  return `${t.alertname}\n${JSON.stringify(Object.entries(t.labels).sort(([a], [b]) => a.localeCompare(b)))}`;
}

function spellsByAlert(timeline: readonly AlertTimelineEntry[]): Map<string, Spell[]> {
  const out = new Map<string, Spell[]>();
  for (const entry of timeline) {
    const spell = {
      entry,
      start: Date.parse(entry.start),
      end: entry.end === null ? null : Date.parse(entry.end),
    };
    const k = spellKey(entry);
    out.set(k, [...(out.get(k) ?? []), spell]);
  }
  return out;
}

/** The pending spell that ran into this firing one: ended at most a few samples before it, the latest such. */
function pendingBefore(firing: Spell, spells: readonly Spell[]): Spell | undefined {
  let best: Spell | undefined;
  for (const p of spells) {
    if (p.entry.state !== 'pending' || p.end === null) continue;
    const gap = firing.start - p.end;
    if (gap < 0 || gap > PENDING_TO_FIRING_GAP_MS) continue;
    if (!best || (best.end ?? 0) < p.end) best = p;
  }
  return best;
}

/**
 * When each firing entry's condition began (ms): for a spell still firing at capture, Prometheus' own
 * `activeAt` of the alert (exact, where the timeline's 5 s samples may have joined two pending spells
 * across a missed sample); else the start of the pending spell that ran into it; else the firing's own
 * start. An alert pending before the first fault and firing after it was raised by what the run was
 * already doing, not by the incident.
 */
export function conditionOnsets(
  timeline: readonly AlertTimelineEntry[],
  active: readonly ActiveAlert[] = [],
): Map<AlertTimelineEntry, number> {
  const activeAt = new Map<string, number>();
  for (const a of active) {
    const { alertname: _name, ...labels } = a.labels;
    const at = Date.parse(a.activeAt);
    if (!Number.isNaN(at)) activeAt.set(spellKey({ alertname: a.alertname, labels }), at);
  }
  const out = new Map<AlertTimelineEntry, number>();
  for (const spells of spellsByAlert(timeline).values())
    for (const s of spells) {
      if (s.entry.state !== 'firing') continue;
      const exact = s.end === null ? activeAt.get(spellKey(s.entry)) : undefined;
      out.set(s.entry, exact ?? pendingBefore(s, spells)?.start ?? s.start);
    }
  return out;
}

/**
 * The alerts whose condition held at `cut` without having fired yet: a pending spell that covers the
 * cut and either ran into a firing (at any time after) or was still pending at capture. A run's cut is
 * where it stops observing, so such an alert is the run's incident, caught before its `for` ran out;
 * a pending spell that cleared without firing is not. Returned as firing entries starting at the cut.
 */
export function pendingAtCut(timeline: readonly AlertTimelineEntry[], cut: number): AlertTimelineEntry[] {
  const out: AlertTimelineEntry[] = [];
  for (const spells of spellsByAlert(timeline).values())
    for (const p of spells) {
      if (p.entry.state !== 'pending' || p.start > cut) continue;
      const fired = spells.find((f) => f.entry.state === 'firing' && pendingBefore(f, spells) === p);
      // The condition held from the spell's start until it fired: a cut between its last pending sample
      // and its first firing one is inside it.
      const heldUntil = p.end === null ? Infinity : fired ? fired.start : -Infinity;
      if (heldUntil >= cut) out.push({ ...p.entry, state: 'firing', start: new Date(cut).toISOString() });
    }
  return out;
}
