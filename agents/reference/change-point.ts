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
 * Best upward split of `points` (time, value), comparing medians of the two sides. `minSide` points must
 * lie on each side so one outlier cannot make a shift. Returns null when nothing rises.
 */
export function upwardShift(points: Array<[number, number]>, minSide = 8, q = 0.5): Shift | null {
  const n = points.length;
  if (n < minSide * 2) return null;
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  // Candidate splits on a coarse grid keep this linear-ish for tens of thousands of spans.
  const step = Math.max(1, Math.floor(n / 60));
  let best: Shift | null = null;
  let bestScore = 0;
  for (let k = minSide; k <= n - minSide; k += step) {
    const before = quantile(
      sorted.slice(0, k).map((p) => p[1]),
      q,
    );
    const after = quantile(
      sorted.slice(k).map((p) => p[1]),
      q,
    );
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

/**
 * First time a stream of event times becomes sustained: `need` events within `spanMs`. Scattered
 * background events (a retry here and there) do not start an incident.
 */
export function sustainedStart(times: number[], need = 3, spanMs = 30_000): number | null {
  const t = [...times].sort((a, b) => a - b);
  for (let i = 0; i + need - 1 < t.length; i++) {
    if (t[i + need - 1] - t[i] <= spanMs) return t[i];
  }
  return null;
}
