import type { Capability } from '../platform/capabilities.js';
import type { SeededRandom } from '../util/seeded-random.js';
import { ACTIVITIES } from './activities.js';
import { ACTIVITY_KINDS, type ActivityKindId, type PlannedAction } from './background-action.js';
import { COINCIDENT_ROLLOUT_CHANCE, PROFILE_COUNTS, type BackgroundProfile } from './profiles.js';

export interface BackgroundSpec {
  profile: BackgroundProfile;
  /** Counts that replace the profile's, by kind. */
  counts: Partial<Record<ActivityKindId, number>>;
}

export interface BackgroundTimes {
  /** When the window is expected to start and the first fault to be injected, from the warmup start. */
  windowStartMs: number;
  firstFaultMs: number;
  /** Latest time worth scheduling (the incident is usually captured before). */
  horizonMs: number;
}

/**
 * Where a `before-fault` episode starts: 20–60 s before the window opens, so its alerts (about 48 s to fire:
 * a 1-minute rate crossing its threshold, then `for: 30s`, 5 s scrapes and evaluations) are firing around
 * the window's start and resolve about 57 s after it ends (20–30 s long, error-burst.ts), inside the window.
 * Anchored to the window, not to the fault: an audit read the fault's time to ±5 s off the end of an episode
 * planned a fixed 100–120 s before it, against ±17 s from the window's start. Now the end says no more than
 * the window's start does.
 */
export const EPISODE_BEFORE_WINDOW_MS: readonly [number, number] = [20_000, 60_000];
/**
 * An episode is left out unless its alerts have resolved this long before the first fault (about 57 s to
 * resolve, then 13 s of clean rate window), so the incident's own alerts start afresh: an episode alert
 * still firing when the incident raised the same alert on the same service would carry on as one alert that
 * began before the fault, which the wait and the checks rightly take for background.
 */
export const EPISODE_SETTLE_MS = 70_000;

/**
 * How many actions of a kind one run gets, for a mean `count`: binomial over twice the mean's trials
 * (rounded up), so the mean holds and runs of one profile vary (typical's 2 rollouts: 0 to 4; busy's 4:
 * 0 to 8), and a fraction below one is the chance of one action. A fixed count per profile would let the
 * number of rollouts or Jobs in a snapshot tell which profile ran, and so which scenarios.
 */
export function drawCount(count: number, rng: SeededRandom): number {
  if (count <= 0) return 0;
  const trials = Math.max(1, Math.ceil(2 * count));
  const p = count / trials;
  let n = 0;
  for (let i = 0; i < trials; i++) if (rng.chance(p)) n++;
  return n;
}

/**
 * The run's background schedule, drawn from the seed before anything starts: how many actions of each
 * kind (the profile, overridden per kind), each at a uniform time between a little before the window (the
 * warmup's start for kinds planned `from: 'warmup'`, its first 10 s for `from: 'start'`) and the horizon,
 * sorted by time; `before-fault` kinds EPISODE_BEFORE_WINDOW_MS before the window, when they settle
 * EPISODE_SETTLE_MS before the first fault, which may be before the warmup starts (negative): the caller
 * lengthens the warmup (run-plan.ts). Kinds the substrate cannot do are left out.
 */
export function planBackground(
  spec: BackgroundSpec,
  times: BackgroundTimes,
  provides: readonly Capability[],
  rng: SeededRandom,
): PlannedAction[] {
  const out: PlannedAction[] = [];
  const from = Math.max(0, times.windowStartMs - 20_000);
  for (const kind of ACTIVITY_KINDS) {
    const activity = ACTIVITIES.get(kind);
    if (!activity || !activity.needs.every((c) => provides.includes(c))) continue;
    const kindRng = rng.fork(kind);
    // A scenario's count is a mean too: an exact count would be a constant its snapshots share.
    const n = drawCount(spec.counts[kind] ?? PROFILE_COUNTS[spec.profile][kind], kindRng);
    for (let i = 0; i < n; i++) {
      const [lo, hi] =
        activity.from === 'start'
          ? [0, Math.min(10_000, times.horizonMs)]
          : activity.from === 'before-fault'
            ? [
                times.windowStartMs - EPISODE_BEFORE_WINDOW_MS[1],
                times.windowStartMs - EPISODE_BEFORE_WINDOW_MS[0],
              ]
            : [activity.from === 'warmup' ? 0 : from, times.horizonMs];
      let atMs = Math.round(kindRng.between(lo, hi));
      if (kind === 'rollout' && i === 0 && kindRng.chance(COINCIDENT_ROLLOUT_CHANCE[spec.profile]))
        atMs = Math.max(0, times.firstFaultMs + Math.round(kindRng.between(-20_000, 20_000)));
      const action: PlannedAction = { kind, atMs, pick: kindRng.next(), ...activity.plan(kindRng) };
      // A window too short for the episode to settle before the fault has none.
      if (
        activity.from === 'before-fault' &&
        atMs + (action.durationMs ?? 0) + EPISODE_SETTLE_MS > times.firstFaultMs
      )
        continue;
      out.push(action);
    }
  }
  return out.sort((a, b) => a.atMs - b.atMs || a.kind.localeCompare(b.kind));
}
