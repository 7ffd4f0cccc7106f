import { quantile, sustainedStart, upwardShift } from './change-point.js';

describe('upwardShift', () => {
  it('finds where a series steps up, and its levels on either side', () => {
    const pts: Array<[number, number]> = [];
    for (let i = 0; i < 100; i++) pts.push([i * 1000, i < 60 ? 10 + (i % 3) : 900 + (i % 5)]);
    const s = upwardShift(pts);
    expect(s?.at).toBeGreaterThanOrEqual(57_000);
    expect(s?.at).toBeLessThanOrEqual(61_000);
    expect(s?.before).toBeLessThan(20);
    expect(s?.after).toBeGreaterThan(890);
  });

  it('finds nothing in a flat or falling series, or one too short to judge', () => {
    expect(upwardShift(Array.from({ length: 50 }, (_, i) => [i, 5] as [number, number]))).toBeNull();
    expect(upwardShift(Array.from({ length: 50 }, (_, i) => [i, 100 - i] as [number, number]))).toBeNull();
    expect(
      upwardShift([
        [0, 1],
        [1, 100],
      ]),
    ).toBeNull();
  });
});

describe('sustainedStart', () => {
  it('ignores scattered events and returns the start of a dense run', () => {
    expect(sustainedStart([0, 60_000, 120_000, 200_000, 201_000, 202_000])).toBe(200_000);
    expect(sustainedStart([0, 60_000, 120_000])).toBeNull();
  });

  it('starts at the surge, not at a trickle long before it', () => {
    const trickle = [0, 9_000, 18_000, 27_000, 36_000];
    const surge = Array.from({ length: 40 }, (_, i) => 50_000 + i * 500);
    expect(sustainedStart([...trickle, ...surge])).toBe(50_000);
    // a steady rise is no trickle: it starts where it starts
    const steady = Array.from({ length: 60 }, (_, i) => i * 1000);
    expect(sustainedStart(steady)).toBe(0);
    // too few to tell
    expect(sustainedStart([0, 1_000, 2_000, 40_000, 41_000])).toBe(0);
  });
});

describe('quantile', () => {
  it('interpolates', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([], 0.5)).toBe(0);
  });
});
