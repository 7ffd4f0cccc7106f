import { bootstrapMean, choose, mean, median, passHatK, quantile, sd } from './stats.js';

describe('stats', () => {
  it('mean, sd, median, quantiles', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(sd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138, 3);
    expect(sd([5])).toBe(0);
    expect(median([5, 1, 3])).toBe(3);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });

  it('bootstraps a 95 % interval around the mean over tasks, the same every time', () => {
    const xs = [0, 0.2, 0.5, 0.5, 0.8, 1, 1, 1, 0.3, 0.9];
    const a = bootstrapMean(xs);
    expect(a.mean).toBeCloseTo(0.62, 12);
    expect(a.lo).toBeLessThan(a.mean);
    expect(a.hi).toBeGreaterThan(a.mean);
    expect(a.lo).toBeGreaterThan(0.35);
    expect(a.hi).toBeLessThan(0.85);
    expect(bootstrapMean(xs)).toEqual(a);
    expect(bootstrapMean([0.4])).toEqual({ mean: 0.4, lo: 0.4, hi: 0.4, n: 1 });
    expect(bootstrapMean([1, 1, 1])).toMatchObject({ lo: 1, hi: 1 });
  });

  it('pass^k: the chance that k of the n attempts, drawn without replacement, are all correct', () => {
    expect(choose(5, 2)).toBe(10);
    expect(passHatK(3, 3, 3)).toBe(1);
    expect(passHatK(3, 2, 3)).toBe(0);
    expect(passHatK(3, 2, 1)).toBeCloseTo(2 / 3, 12);
    expect(passHatK(3, 2, 2)).toBeCloseTo(1 / 3, 12);
    expect(passHatK(2, 2, 3)).toBe(0);
  });
});
