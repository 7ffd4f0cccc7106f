import { mulberry32 } from './prng.js';

export const DEFAULT_LOAD_VARIATION = 0.2;
export const MAX_LOAD_VARIATION = 0.5;

/**
 * ShopFrontendTrafficDrop fires when the frontend's 1-minute request rate falls below half its 10-minute
 * average. The modulation on its own keeps that ratio at or above this value, which leaves room for scrape
 * timing and for journeys of 2-4 requests making the request rate a little noisier than the journey rate.
 */
export const MIN_DROP_RATIO = 0.6;

/** `rate(...[1m])` */
const RATE_WINDOW_S = 60;
/** `avg_over_time(...[10m])`; shorter right after Prometheus starts, so every window up to this is checked. */
const AVERAGE_WINDOW_S = 600;

/**
 * Component periods in seconds, one per band: wiggles of a few minutes, a swell over several minutes and a
 * slow drift, so a 5-minute window always shows some movement and no two runs look alike.
 */
const PERIOD_BANDS: ReadonlyArray<readonly [number, number]> = [
  [90, 240],
  [240, 600],
  [600, 1800],
];

export interface RateComponent {
  periodS: number;
  /** Share of the amplitude; the weights sum to 1. */
  weight: number;
  /** Radians at t = 0. */
  phase: number;
}

export interface RateProfileOptions {
  /** Mean journeys per second. */
  rps: number;
  /** Largest relative swing around `rps`, 0-0.5. */
  variation: number;
  seed: number;
}

/** Signed sin(x)/x. */
function sinc(x: number): number {
  return x === 0 ? 1 : Math.sin(x) / x;
}

/**
 * How far a unit sine of this period can pull `rate1m - MIN_DROP_RATIO × avg_over_time(rate1m[w])` below zero,
 * at its worst phase and for the worst averaging window w ≤ 10 min. Both are moving averages, i.e. linear
 * filters: a box of width w has the response sinc(ωw/2)·e^(-iωw/2), so the difference has the gain
 * |H₁|·|1 - k·H_w| and a sum of sines the sum of their gains.
 */
export function dropSensitivity(periodS: number): number {
  const omega = (2 * Math.PI) / periodS;
  const rateGain = Math.abs(sinc((omega * RATE_WINDOW_S) / 2));
  let worst = 0;
  for (let w = 5; w <= AVERAGE_WINDOW_S; w += 5) {
    const x = (omega * w) / 2;
    const h = MIN_DROP_RATIO * sinc(x);
    worst = Math.max(worst, Math.hypot(1 - h * Math.cos(x), h * Math.sin(x)));
  }
  return rateGain * worst;
}

/**
 * The journey start rate over time: `rps × (1 + a·Σ wᵢ·sin(2πt/Pᵢ + φᵢ))`, with periods, weights and phases
 * drawn from the seed (a stream separate from the journey plan's, so the plan is unchanged). The amplitude `a`
 * is the requested variation, bounded so the modulation alone can never make ShopFrontendTrafficDrop fire:
 * a·Σ wᵢ·dropSensitivity(Pᵢ) ≤ 1 - MIN_DROP_RATIO. With the default 0.2 the bound never bites; near 0.5 it
 * can, for the seeds whose periods sit where a 10-minute average lags most.
 */
export class RateProfile {
  readonly rps: number;
  readonly requestedVariation: number;
  /** The amplitude in use: `requestedVariation`, or less when the bound above requires it. */
  readonly variation: number;
  readonly components: readonly RateComponent[];
  /** Σ wᵢ·dropSensitivity(Pᵢ) of the drawn components. */
  readonly sensitivity: number;
  private lastJourney = -1;
  private lastTime = 0;

  constructor(opts: RateProfileOptions) {
    if (!(opts.rps > 0)) throw new Error(`rps must be positive (got ${opts.rps})`);
    if (!(opts.variation >= 0 && opts.variation <= MAX_LOAD_VARIATION)) {
      throw new Error(`variation must be 0-${MAX_LOAD_VARIATION} (got ${opts.variation})`);
    }
    this.rps = opts.rps;
    this.requestedVariation = opts.variation;
    // A hash of the seed: mulberry32 streams of nearby seeds are shifted copies of each other, and the journey
    // planner already uses mulberry32(seed).
    const rand = mulberry32(Math.imul((opts.seed ^ 0x85ebca6b) >>> 0, 0xc2b2ae35) >>> 0);
    const drawn = PERIOD_BANDS.map(([lo, hi]) => ({
      periodS: lo * Math.pow(hi / lo, rand()),
      weight: 0.5 + 0.5 * rand(),
      phase: 2 * Math.PI * rand(),
    }));
    const total = drawn.reduce((s, c) => s + c.weight, 0);
    this.components = drawn.map((c) => ({ ...c, weight: c.weight / total }));
    this.sensitivity = this.components.reduce((s, c) => s + c.weight * dropSensitivity(c.periodS), 0);
    this.variation = Math.min(opts.variation, (1 - MIN_DROP_RATIO) / this.sensitivity);
  }

  /** Journeys per second at `t` seconds after the start. */
  rateAt(t: number): number {
    let m = 0;
    for (const c of this.components) m += c.weight * Math.sin((2 * Math.PI * t) / c.periodS + c.phase);
    return this.rps * (1 + this.variation * m);
  }

  /** Journeys due by `t` seconds after the start: the integral of rateAt from 0 to t. */
  journeysBy(t: number): number {
    let m = 0;
    for (const c of this.components) {
      const omega = (2 * Math.PI) / c.periodS;
      m += (c.weight * (Math.cos(c.phase) - Math.cos(omega * t + c.phase))) / omega;
    }
    return this.rps * (t + this.variation * m);
  }

  /** Seconds after the start at which journey `n` (0-based) is due: the inverse of journeysBy. */
  timeOf(n: number): number {
    if (this.variation === 0) return n / this.rps;
    if (n === this.lastJourney) return this.lastTime;
    // Newton's method from the previous answer: journeysBy is smooth and rises at least rps/2 per second, so
    // a few steps reach a nanosecond.
    let t = this.lastJourney >= 0 && n > this.lastJourney ? this.lastTime : n / this.rps;
    for (let i = 0; i < 50; i++) {
      const step = (this.journeysBy(t) - n) / this.rateAt(t);
      t -= step;
      if (Math.abs(step) < 1e-9) break;
    }
    this.lastJourney = n;
    this.lastTime = Math.max(0, t);
    return this.lastTime;
  }
}
