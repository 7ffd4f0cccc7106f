import type { AlertTimelineEntry } from '../bundle/records.js';
import { conditionOnsets, pendingAtCut } from './alert-spells.js';
import { timelineSpell } from './testing/timeline-spell.js';

const T0 = Date.UTC(2025, 0, 1, 0, 1, 0);
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();
const spell = (
  state: 'pending' | 'firing',
  start: number,
  end: number | null,
  labels: Record<string, string> = { namespace: 'shop', service: 'checkout' },
): AlertTimelineEntry =>
  timelineSpell(
    'ShopHighLatencyP95',
    labels,
    state,
    T0 + start * 1000,
    end === null ? null : T0 + end * 1000,
  );

describe('conditionOnsets', () => {
  it('dates a firing spell from the pending spell that ran into it, within three samples', () => {
    const firing = spell('firing', 40, null);
    const late = spell('firing', 140, null);
    const onsets = conditionOnsets([
      spell('pending', 10, 25),
      firing,
      // 16 s between the pending spell's last sample and the firing: a separate condition
      spell('pending', 100, 124),
      late,
    ]);
    expect(onsets.get(firing)).toBe(T0 + 10_000);
    expect(onsets.get(late)).toBe(T0 + 140_000);
  });

  it('takes the latest pending spell before the firing, whatever order the labels were written in', () => {
    const firing = spell('firing', 60, null, { service: 'checkout', namespace: 'shop' });
    const onsets = conditionOnsets([spell('pending', 0, 50), spell('pending', 52, 55), firing]);
    expect(onsets.get(firing)).toBe(T0 + 52_000);
  });

  it("takes Prometheus' activeAt for a spell still firing at capture", () => {
    // the timeline joined a pending spell before the fault with one after it across a missed sample
    const firing = spell('firing', 60, null);
    const active = [
      {
        alertname: 'ShopHighLatencyP95',
        state: 'firing' as const,
        labels: { alertname: 'ShopHighLatencyP95', namespace: 'shop', service: 'checkout' },
        annotations: {},
        activeAt: at(31),
      },
    ];
    expect(conditionOnsets([spell('pending', 0, 55), firing], active).get(firing)).toBe(T0 + 31_000);
    // an ended firing spell is not the active alert's
    const ended = spell('firing', 60, 90);
    expect(conditionOnsets([spell('pending', 0, 55), ended], active).get(ended)).toBe(T0);
  });
});

describe('pendingAtCut', () => {
  const cut = T0 + 30_000;
  it('keeps a pending spell across the cut that fired later or lasted until capture', () => {
    expect(pendingAtCut([spell('pending', 10, 40), spell('firing', 45, null)], cut)).toEqual([
      { ...spell('pending', 10, 40), state: 'firing', start: at(30) },
    ]);
    expect(pendingAtCut([spell('pending', 30, null)], cut)).toHaveLength(1);
    // the cut fell between the last pending sample and the first firing one
    expect(pendingAtCut([spell('pending', 5, 29), spell('firing', 34, null)], cut)).toHaveLength(1);
  });

  it('drops one that cleared without firing, began after the cut, or ended before it', () => {
    expect(pendingAtCut([spell('pending', 10, 40)], cut)).toEqual([]);
    expect(pendingAtCut([spell('pending', 31, null)], cut)).toEqual([]);
    expect(pendingAtCut([spell('pending', 0, 20), spell('firing', 25, null)], cut)).toEqual([]);
  });
});
