import { AC_KS, type AcAt, type Metrics } from './score.js';

/** Field-wise mean; AC@k becomes the fraction of items with AC@k = 1. Empty input averages to zeros. */
export function meanMetrics(items: readonly Metrics[]): Metrics {
  const n = items.length;
  const acAt = {} as AcAt;
  for (const k of AC_KS) acAt[k] = n === 0 ? 0 : items.reduce((s, m) => s + m.acAt[k], 0) / n;
  const mean = (pick: (m: Metrics) => number): number =>
    n === 0 ? 0 : items.reduce((s, m) => s + pick(m), 0) / n;
  return {
    apFullRecall: mean((m) => m.apFullRecall),
    precisionAtFullRecall: mean((m) => m.precisionAtFullRecall),
    precision: mean((m) => m.precision),
    recall: mean((m) => m.recall),
    f1: mean((m) => m.f1),
    acAt,
  };
}
