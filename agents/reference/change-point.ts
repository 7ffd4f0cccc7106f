/**
 * Where a series of observations shifts upwards: the split that best separates a calm "before" from a
 * worse "after". Used instead of a fixed fault time, which a snapshot never states (its window starts
 * at a random offset before the fault).
 */
export interface Shift {
  /** Time of the first observation after the split (ms). */
  at: number;
  before: number;
  after: number;
  nBefore: number;
  nAfter: number;
}

/**
 * Best upward split of `points` (time, value): the split maximising the difference of the two sides'
 * means, weighted so that splits near the ends need larger jumps. Values are clipped to the series'
 * 2nd–98th percentiles first, so one outlier cannot make a shift. `minSide` points must lie on each side.
 * Returns null when nothing rises.
 */
export function upwardShift(points: Array<[number, number]>, minSide = 8): Shift | null {
  const n = points.length;
  if (n < minSide * 2) return null;
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const values = sorted.map((p) => p[1]);
  const lo = quantile(values, 0.02);
  const hi = quantile(values, 0.98);
  const v = values.map((x) => Math.min(hi, Math.max(lo, x)));
  const prefix = [0];
  for (const x of v) prefix.push(prefix[prefix.length - 1] + x);
  const total = prefix[n];
  let best: Shift | null = null;
  let bestScore = 0;
  for (let k = minSide; k <= n - minSide; k++) {
    const before = prefix[k] / k;
    const after = (total - prefix[k]) / (n - k);
    const score = (after - before) * Math.sqrt((k * (n - k)) / n);
    if (score > bestScore) {
      bestScore = score;
      best = { at: sorted[k][0], before, after, nBefore: k, nAfter: n - k };
    }
  }
  return best;
}

export function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile (q in 0..1); 0 for an empty list. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** The commonest value (ties: the first by name), '' for none. */
export function mode(xs: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '';
}

/**
 * First time a stream of event times becomes sustained: `need` events within `spanMs`. Scattered
 * background events (a retry here and there) do not start an incident; nor does a trickle long before a
 * surge (a background blip failing one request in seventy): when the events before the first 10 s that
 * reach a quarter of the peak rate came at a tenth of it or less, the surge is the start.
 */
export function sustainedStart(times: number[], need = 3, spanMs = 30_000): number | null {
  const t = [...times].sort((a, b) => a - b);
  for (let i = 0; i + need - 1 < t.length; i++) {
    if (t[i + need - 1] - t[i] <= spanMs) return surgeAfter(t.slice(i), t[i]);
  }
  return null;
}

const SURGE_BUCKET_MS = 10_000;
/** Below this many events in the busiest 10 s, a trickle cannot be told from a surge. */
const SURGE_MIN_PEAK = 8;

function surgeAfter(sorted: number[], start: number): number {
  const counts: number[] = [];
  for (const x of sorted) {
    const b = Math.floor((x - start) / SURGE_BUCKET_MS);
    counts[b] = (counts[b] ?? 0) + 1;
  }
  const peak = Math.max(...Array.from(counts, (c) => c ?? 0));
  if (peak < SURGE_MIN_PEAK) return start;
  const first = counts.findIndex((c) => (c ?? 0) >= peak / 4);
  if (first <= 0) return start;
  let before = 0;
  for (let b = 0; b < first; b++) before += counts[b] ?? 0;
  if (before / first > peak / 10) return start;
  return sorted.find((x) => x >= start + first * SURGE_BUCKET_MS) ?? start;
}
