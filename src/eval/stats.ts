/** A mean with its 95 % bootstrap interval (all 0 when there are no values; lo = hi = mean for one). */
export interface Estimate {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

export const BOOTSTRAP_RESAMPLES = 10_000;
/** Fixed, so the same results always print the same intervals. */
const BOOTSTRAP_SEED = 0x5eed;

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Linear interpolation between order statistics (type 7, as R and numpy default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

/** mulberry32: tiny, fast and good enough to draw resample indexes reproducibly. */
export function seededUniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The mean of `xs` with a percentile bootstrap 95 % interval: resample the values (tasks) with
 * replacement, take each resample's mean, read the 2.5th and 97.5th percentiles. Tasks are the unit
 * because they are what a benchmark samples; repeats of one task are not independent draws.
 */
export function bootstrapMean(
  xs: readonly number[],
  resamples = BOOTSTRAP_RESAMPLES,
  seed = BOOTSTRAP_SEED,
): Estimate {
  const n = xs.length;
  const m = mean(xs);
  if (n < 2) return { mean: m, lo: m, hi: m, n };
  const rand = seededUniform(seed);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[Math.floor(rand() * n)];
    means[r] = s / n;
  }
  means.sort();
  return { mean: m, lo: quantile(Array.from(means), 0.025), hi: quantile(Array.from(means), 0.975), n };
}

/** n choose k, exact for the small numbers of repeats an eval has. */
export function choose(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/**
 * pass^k of one task from n attempts of which c were correct: the chance that k attempts drawn without
 * replacement are all correct, C(c, k) / C(n, k) (τ-bench's unbiased estimator). With k = n it is 1
 * only when every attempt was correct; pass^1 is the share of correct attempts.
 */
export function passHatK(n: number, c: number, k: number): number {
  if (k > n || n === 0) return 0;
  return choose(c, k) / choose(n, k);
}
