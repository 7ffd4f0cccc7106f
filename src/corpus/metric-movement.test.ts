import type { MetricPoint } from '../bundle/records.js';
import { seriesMovement } from './metric-movement.js';

const T = 1_700_000_000;
const INJECT = T + 300;
/** 21 points every 30 s; `f(i, t)` gives the value. */
const points = (f: (i: number, t: number) => number): MetricPoint[] =>
  Array.from({ length: 21 }, (_, i) => [T + i * 30, f(i, T + i * 30)] as MetricPoint);
const noise = (i: number): number => (((i * 7) % 5) - 2) / 2; // -1..1, deterministic

describe('seriesMovement', () => {
  it('a gauge that steps up after the injection moved', () => {
    const m = seriesMovement(
      { name: 'latency_seconds', points: points((_, t) => (t < INJECT ? 0.1 : 1.3)) },
      INJECT,
    );
    expect(m.moved).toBe(true);
    expect(m.baselineMean).toBeCloseTo(0.1);
    expect(m.incidentMean).toBeCloseTo(1.3);
  });

  it('a flat or merely noisy gauge did not move', () => {
    expect(seriesMovement({ name: 'g', points: points(() => 5) }, INJECT).moved).toBe(false);
    expect(seriesMovement({ name: 'g', points: points((i) => 100 + 10 * noise(i)) }, INJECT).moved).toBe(
      false,
    );
    expect(seriesMovement({ name: 'g', points: points(() => 0) }, INJECT).moved).toBe(false);
  });

  it('needs the shift to exceed 3 sd AND 50 % of the baseline', () => {
    // +20 % on a noiseless series: beyond 3 sd (0) but under 50 %
    expect(
      seriesMovement({ name: 'g', points: points((_, t) => (t < INJECT ? 100 : 120)) }, INJECT).moved,
    ).toBe(false);
    // +60 % on a series whose sd is larger than the shift / 3
    const wild = points((i, t) => (t < INJECT ? 100 + 80 * noise(i) : 160 + 80 * noise(i)));
    expect(seriesMovement({ name: 'g', points: wild }, INJECT).moved).toBe(false);
    expect(
      seriesMovement({ name: 'g', points: points((_, t) => (t < INJECT ? 100 : 151)) }, INJECT).moved,
    ).toBe(true);
  });

  it('judges counters by their rate, not their ever-growing value', () => {
    const steady = points((i) => i * 60); // 2/s throughout
    expect(seriesMovement({ name: 'requests_total', points: steady }, INJECT).moved).toBe(false);
    // the same values read as a gauge rise without end
    expect(seriesMovement({ name: 'requests', points: steady }, INJECT).moved).toBe(true);
    let v = 0;
    const faster = points((_, t) => (v += t <= INJECT ? 60 : 600)); // 2/s, then 20/s
    expect(seriesMovement({ name: 'errors_total', points: faster }, INJECT).moved).toBe(true);
  });

  it('counts a counter reset as growth from zero, not as a drop', () => {
    const withRestart = points((i) => (i < 12 ? i * 60 : (i - 12) * 60));
    expect(seriesMovement({ name: 'x_total', points: withRestart }, INJECT).moved).toBe(false);
  });

  it('catches a change that only shows at the end of the window (last third)', () => {
    const late = points((_, t) => (t < INJECT + 200 ? 10 : 40));
    expect(seriesMovement({ name: 'g', points: late }, INJECT).moved).toBe(true);
  });

  it('ignores NaN and Inf, and does not judge with too few values', () => {
    const spiky = points((_, t) => (t < INJECT ? 1 : 1)).map(
      ([t, v], i) => [t, i % 4 === 0 ? 'NaN' : v] as MetricPoint,
    );
    expect(seriesMovement({ name: 'g', points: spiky }, INJECT).moved).toBe(false);
    const short: MetricPoint[] = [
      [INJECT - 30, 1],
      [INJECT + 30, 100],
      [INJECT + 60, 100],
    ];
    const m = seriesMovement({ name: 'g', points: short }, INJECT);
    expect(m.moved).toBe(false);
    expect(m.skipped).toMatch(/too few/);
  });

  it('without an injection time compares the first and last thirds', () => {
    expect(seriesMovement({ name: 'g', points: points((i) => (i < 10 ? 1 : 9)) }, null).moved).toBe(true);
    expect(seriesMovement({ name: 'g', points: points(() => 3) }, null).moved).toBe(false);
  });
});
