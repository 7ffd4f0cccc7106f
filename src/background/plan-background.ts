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
  /**
   * The earliest the first fault could come, knowing only the window's start: the window's start plus
   * the scenario's `window.before` (and its first fault's `at`). Episodes before the fault are dated from it.
   */
  earliestFaultMs: number;
  /** Latest time worth scheduling (the incident is usually captured before). */
  horizonMs: number;
}

/**
 * Where a `before-fault` episode ends: 70–100 s before the earliest the first fault could come given the
 * window's start (`earliestFaultMs`). Its alerts need about 48 s to fire (a 1-minute rate crossing its
 * threshold, then `for: 30s`, 5 s scrapes and evaluations) and resolve about 57 s after it ends (20–30 s
 * long, error-burst.ts): they resolve 13–43 s before that earliest time, so always before the fault, and the
 * incident's own alerts start from a clean rate window (an episode alert still firing when the incident
 * raised the same alert on the same service would carry on as one alert that began before the fault, which
 * the wait and the checks rightly take for background). Dated by its end, not its start (100–140 s before,
 * until session 17), so that its alerts are still firing when the window opens in over half the runs: dated
 * by its start, 1 of 4 episodes showed in the window. Dated from the window, never from the fault: an
 * audit read the fault's time to ±5 s off the end of an episode planned a fixed time before it; a reviewer
 * then showed that dropping episodes that could not settle before the drawn fault still bounded it. Neither
 * the episode's place nor whether it happens depends on when the fault came.
 */
export const EPISODE_END_LEAD_MS: readonly [number, number] = [70_000, 100_000];

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

/** Moves each action of `kind` to start no earlier than the end of the one before it (ActivityKind.oneAtATime). */
function queueOneAtATime(actions: PlannedAction[], kind: ActivityKindId): void {
  let freeAt = -Infinity;
  for (const a of actions.filter((x) => x.kind === kind).sort((x, y) => x.atMs - y.atMs)) {
    a.atMs = Math.max(a.atMs, freeAt);
    freeAt = a.atMs + (a.durationMs ?? 0);
  }
}

/**
 * The run's background schedule, drawn from the seed before anything starts: how many actions of each
 * kind (the profile, overridden per kind), each at a uniform time between a little before the window (the
 * warmup's start for kinds planned `from: 'warmup'`, its first 10 s for `from: 'start'`) and the horizon,
 * sorted by time; `before-fault` kinds ending EPISODE_END_LEAD_MS before the earliest the fault could come, which may
 * be before the warmup starts (negative): the caller lengthens the warmup (run-plan.ts). Kinds the
 * substrate cannot do are left out.
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
      if (activity.from === 'before-fault') {
        const endMs = kindRng.between(
          times.earliestFaultMs - EPISODE_END_LEAD_MS[1],
          times.earliestFaultMs - EPISODE_END_LEAD_MS[0],
        );
        const pick = kindRng.next();
        const planned = activity.plan(kindRng);
        out.push({ kind, atMs: Math.round(endMs - (planned.durationMs ?? 0)), pick, ...planned });
        continue;
      }
      const [lo, hi] =
        activity.from === 'start'
          ? [0, Math.min(10_000, times.horizonMs)]
          : [activity.from === 'warmup' ? 0 : from, times.horizonMs];
      let atMs = Math.round(kindRng.between(lo, hi));
      if (kind === 'rollout' && i === 0 && kindRng.chance(COINCIDENT_ROLLOUT_CHANCE[spec.profile]))
        atMs = Math.max(0, times.firstFaultMs + Math.round(kindRng.between(-20_000, 20_000)));
      out.push({ kind, atMs, pick: kindRng.next(), ...activity.plan(kindRng) });
    }
    if (activity.oneAtATime) queueOneAtATime(out, kind);
  }
  return out.sort((a, b) => a.atMs - b.atMs || a.kind.localeCompare(b.kind));
}
