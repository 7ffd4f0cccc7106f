import { describe, expect, test } from '@jest/globals';
import {
  DEFAULT_LOAD_VARIATION,
  MIN_DROP_RATIO,
  RateProfile,
  dropSensitivity,
  type RateProfileOptions,
} from './rate-profile.js';

const profile = (o: Partial<RateProfileOptions> = {}) =>
  new RateProfile({ rps: 10, variation: DEFAULT_LOAD_VARIATION, seed: 1, ...o });

/**
 * ShopFrontendTrafficDrop as Prometheus evaluates it on a counter of started journeys: scrapes and rule
 * evaluations every 5 s, `rate(...[1m])` over the 12 samples a 1-minute window holds (extrapolated to the
 * window, i.e. the increase over 55 s divided by 55), recorded every 5 s, and compared with
 * `avg_over_time(recorded[10m])` (fewer samples while Prometheus has less history). Returns the lowest
 * rate1m / average seen, from the first full rate window on.
 */
function lowestDropRatio(journeysBy: (t: number) => number, seconds: number): number {
  const step = 5;
  const recorded: number[] = [];
  let sum = 0;
  let lowest = Infinity;
  for (let t = 60; t <= seconds; t += step) {
    const rate = (Math.floor(journeysBy(t)) - Math.floor(journeysBy(t - 55))) / 55;
    recorded.push(rate);
    sum += rate;
    if (recorded.length > 120) sum -= recorded[recorded.length - 121] as number;
    const average = sum / Math.min(recorded.length, 120);
    lowest = Math.min(lowest, rate / average);
  }
  return lowest;
}

describe('RateProfile', () => {
  test('the same seed gives the same rates, another seed other ones', () => {
    const times = Array.from({ length: 200 }, (_, i) => i * 17.3);
    const a = times.map((t) => profile({ seed: 42 }).rateAt(t));
    expect(times.map((t) => profile({ seed: 42 }).rateAt(t))).toEqual(a);
    expect(times.map((t) => profile({ seed: 43 }).rateAt(t))).not.toEqual(a);
    expect(profile({ seed: 42 }).components).toEqual(profile({ seed: 42 }).components);
  });

  test('stays within ±variation of the mean rate, and swings by minutes', () => {
    const outside: string[] = [];
    for (const seed of [1, 2, 3, 42, 1000]) {
      for (const variation of [0.05, 0.2, 0.5]) {
        const p = profile({ seed, variation, rps: 8 });
        for (let t = 0; t < 86_400; t += 7) {
          const r = p.rateAt(t);
          if (r < 8 * (1 - variation) - 1e-9 || r > 8 * (1 + variation) + 1e-9)
            outside.push(`seed ${seed} variation ${variation} t ${t}: ${r}`);
        }
        for (const c of p.components) {
          if (c.periodS < 90 || c.periodS > 1800) outside.push(`seed ${seed}: period ${c.periodS}`);
        }
      }
    }
    expect(outside).toEqual([]);
  });

  test('at the default variation every seed visibly moves within five minutes', () => {
    const flat: string[] = [];
    for (let seed = 1; seed <= 100; seed++) {
      const p = profile({ seed });
      for (let start = 0; start < 3600; start += 300) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let t = start; t <= start + 300; t += 5) {
          lo = Math.min(lo, p.rateAt(t));
          hi = Math.max(hi, p.rateAt(t));
        }
        if (hi / lo <= 1.02) flat.push(`seed ${seed} from ${start}s: ${lo}..${hi}`);
      }
    }
    expect(flat).toEqual([]);
  });

  test('without variation, journey n is due at n / rps exactly (the flat schedule)', () => {
    const p = profile({ variation: 0, rps: 4 });
    for (const n of [0, 1, 7, 1000, 123_457]) expect(p.timeOf(n)).toBe(n / 4);
    expect(p.rateAt(123)).toBe(4);
  });

  test('journeysBy integrates rateAt, and timeOf inverts it in order', () => {
    const p = profile({ seed: 9, variation: 0.4, rps: 6 });
    let numeric = 0;
    for (let t = 0; t < 1800; t += 0.5) numeric += ((p.rateAt(t) + p.rateAt(t + 0.5)) / 2) * 0.5;
    expect(p.journeysBy(1800)).toBeCloseTo(numeric, 2);
    let previous = -1;
    let worst = 0;
    let ordered = true;
    for (let n = 0; n < 20_000; n += 13) {
      const t = p.timeOf(n);
      ordered &&= t > previous;
      worst = Math.max(worst, Math.abs(p.journeysBy(t) - n));
      previous = t;
    }
    expect(ordered).toBe(true);
    expect(worst).toBeLessThan(1e-6);
    // Asked out of order (a fresh profile, a jump back) it still answers exactly.
    expect(profile({ seed: 9, variation: 0.4, rps: 6 }).timeOf(500)).toBeCloseTo(p.timeOf(500), 9);
  });

  test('the drop bound holds for every seed and variation; up to 0.35 it never reduces the amplitude', () => {
    const broken: string[] = [];
    let reducedAtMost = 1;
    for (let seed = 1; seed <= 200; seed++) {
      for (const variation of [0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5]) {
        const p = profile({ seed, variation });
        if (p.variation > variation || p.variation * p.sensitivity > 1 - MIN_DROP_RATIO + 1e-12)
          broken.push(`seed ${seed} variation ${variation}: ${p.variation} × ${p.sensitivity}`);
        if (variation <= 0.35 && p.variation !== variation) broken.push(`seed ${seed} reduced ${variation}`);
        if (variation === 0.5) reducedAtMost = Math.min(reducedAtMost, p.variation);
      }
    }
    expect(broken).toEqual([]);
    // Asking for 0.5 still gets a good swing from every seed.
    expect(reducedAtMost).toBeGreaterThan(0.35);
  });

  test('dropSensitivity: slow waves and fast wiggles weigh little, ten-minute swells the most', () => {
    expect(dropSensitivity(60)).toBeLessThan(0.01); // a 1-minute rate window averages it out
    expect(dropSensitivity(3 * 3600)).toBeLessThan(0.5); // the 10-minute average follows it closely
    expect(dropSensitivity(600)).toBeGreaterThan(1);
    // Never much above 1: the default 0.2 (and anything up to 0.35) is always within the 0.4 budget.
    for (let p = 30; p <= 7200; p += 30) expect(dropSensitivity(p)).toBeLessThan(1.15);
  });
});

describe('ShopFrontendTrafficDrop cannot fire from the modulation alone', () => {
  test('the evaluation below catches a real drop (10 → 4 journeys/s) and stays quiet on flat traffic', () => {
    const drop = (t: number) => (t < 1200 ? 10 * t : 12_000 + 4 * (t - 1200));
    expect(lowestDropRatio(drop, 1800)).toBeLessThan(0.5);
    expect(lowestDropRatio((t) => 10 * t, 1800)).toBeGreaterThan(0.97);
  });

  test.each([0.2, 0.35, 0.5])(
    'variation %s: rate1m stays above 0.55 × its 10-minute average for 40 seeds over 90 minutes',
    (variation) => {
      let lowest = Infinity;
      for (let seed = 1; seed <= 40; seed++) {
        for (const rps of [2, 10]) {
          const p = profile({ seed, variation, rps });
          lowest = Math.min(
            lowest,
            lowestDropRatio((t) => p.journeysBy(t), 90 * 60),
          );
        }
      }
      expect(lowest).toBeGreaterThan(0.55);
    },
  );
});
