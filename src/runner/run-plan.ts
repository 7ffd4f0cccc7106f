import { ACTIVITIES } from '../background/activities.js';
import { planBackground } from '../background/plan-background.js';
import type { PlannedAction } from '../background/background-action.js';
import type { Capability } from '../platform/capabilities.js';
import type { Scenario } from '../scenario/scenario.js';
import { SeededRandom } from '../util/seeded-random.js';
import type { HistoryAges } from '../capture/history-shift.js';

/** History the window keeps before its start, so rates over a minute are settled when it opens. */
export const WARMUP_MARGIN_MS = 15_000;
/** Background activity is drawn up to this long after the first fault. */
export const BACKGROUND_HORIZON_MS = 60_000;
/**
 * A `before-fault` episode (background that fires its alerts before the first fault) starts at least this
 * far into the warmup, after Prometheus has scraped the service a few times: the warmup grows to make room.
 */
export const EPISODE_MIN_START_MS = 10_000;
/**
 * The lead's and the tail's extra times, drawn from [0, this) whatever the scenario's `before` and `after`:
 * an extra in proportion to them left each scenario's window a range of its own, and the range its
 * family's (an audit pinned the (before, after) class in 24 of 55 bundles from the window's edges).
 */
export const LEAD_JITTER_MS = 60_000;
export const TAIL_JITTER_MS = 30_000;

/** The app's last deployment, as the snapshot dates it: 2 hours to 20 days before the warmup. */
export const APP_AGE_MS: readonly [number, number] = [2 * 3_600_000, 20 * 86_400_000];
/** How much older the cluster and what outlives a run (node, namespaces, Services) look: 20 to 400 days. */
export const CLUSTER_AGE_MS: readonly [number, number] = [20 * 86_400_000, 400 * 86_400_000];

/** How far a run's rate and each weight of its mix may stray from the scenario's: ±25 %. */
export const LOAD_JITTER = 0.25;

function jitterLoad(load: Scenario['spec']['load'], rng: SeededRandom): RunPlan['load'] {
  const vary = (x: number): number => x * (1 + LOAD_JITTER * (2 * rng.next() - 1));
  const raw = { browse: vary(load.mix.browse), cart: vary(load.mix.cart), checkout: vary(load.mix.checkout) };
  const sum = raw.browse + raw.cart + raw.checkout;
  const share = (x: number): number => (sum > 0 ? Math.round((x / sum) * 1000) / 1000 : 0);
  return {
    rps: Math.max(1, Math.round(vary(load.rps) * 10) / 10),
    mix: { browse: share(raw.browse), cart: share(raw.cart), checkout: share(raw.checkout) },
  };
}

const wholeSeconds = ([lo, hi]: readonly [number, number], u: number): number =>
  Math.round((lo + u * (hi - lo)) / 1000) * 1000;

/** Everything about one run that is drawn from the corpus secret, the scenario, the seed and the repeat. */
export interface RunPlan {
  /**
   * How long the run warms up: the scenario's warmup, longer when the window reaches further back or an
   * episode before the first fault needs room.
   */
  warmupMs: number;
  /** The window opens this long before the end of the warmup: `window.before` + [0, 60 s). */
  leadMs: number;
  /** After the awaited alerts fire, observation goes on this long: `window.after` + [0, 30 s). */
  tailMs: number;
  /**
   * The load generator's seed: drawn, not the scenario's public `seed`, which the generator's traffic
   * would carry into the logs and traces for anyone to look the scenario up by.
   */
  loadSeed: number;
  /**
   * Whether this run's operators record their rollouts in `kubernetes.io/change-cause` (a team's habit:
   * all of a run's rollouts, faults' and background's alike, or none).
   */
  recordChangeCause: boolean;
  /** How old the app and the cluster look at capture (capture/history-shift.ts). */
  history: HistoryAges;
  /** The key of the Deployments' drawn rollout history before the run (capture/past-rollouts.ts). */
  pastSeed: string;
  /**
   * The load this run drives: the scenario's rate and mix, each weight and the rate varied by up to
   * LOAD_JITTER (traffic is never the same twice), so a scenario's own mix cannot be read off its traffic.
   */
  load: { rps: number; mix: { browse: number; cart: number; checkout: number } };
  background: PlannedAction[];
}

export interface PlanInputs {
  secret: string;
  scenario: Scenario;
  seed: number;
  repeat: number;
  /** What the substrate provides: background kinds it cannot do are left out. */
  provides: readonly Capability[];
}

/**
 * Plans a run before it starts. The window's offsets are drawn so the injection time cannot be read off
 * the window (it no longer starts a fixed time before the fault), and the background schedule so every
 * run of a corpus has its own routine activity; both are reproducible from the secret.
 */
export function planRun(i: PlanInputs): RunPlan {
  const id = i.scenario.metadata.id;
  const rng = new SeededRandom(i.secret, `run\n${id}\n${i.seed}\n${i.repeat}`);
  const { warmupMs, window } = i.scenario.spec.observe;
  const leadMs = Math.round(window.beforeMs + rng.fork('lead').next() * LEAD_JITTER_MS);
  const tailMs = Math.round(window.afterMs + rng.fork('tail').next() * TAIL_JITTER_MS);
  const warmup = Math.max(warmupMs, leadMs + WARMUP_MARGIN_MS);
  const firstFault = Math.min(...i.scenario.spec.faults.map((f) => f.atMs));
  const planned = planBackground(
    i.scenario.spec.background,
    {
      windowStartMs: warmup - leadMs,
      firstFaultMs: warmup + firstFault,
      earliestFaultMs: warmup - leadMs + window.beforeMs + firstFault,
      // Most incidents show within a minute of the first fault; activity planned later would seldom be seen.
      horizonMs: warmup + firstFault + BACKGROUND_HORIZON_MS,
    },
    i.provides,
    rng.fork('background'),
  );
  // Times count from the warmup's start: a longer warmup moves every action, the window and the faults
  // alike, so only the warmup's length changes.
  const episodes = planned.filter((a) => ACTIVITIES.get(a.kind)?.from === 'before-fault').map((a) => a.atMs);
  const extraMs = episodes.length > 0 ? Math.max(0, EPISODE_MIN_START_MS - Math.min(...episodes)) : 0;
  const background = planned.map((a) => ({ ...a, atMs: a.atMs + extraMs }));
  return {
    warmupMs: warmup + extraMs,
    leadMs,
    tailMs,
    loadSeed: rng.fork('load').int(1, 2_147_483_647),
    recordChangeCause: rng.fork('change-cause').chance(0.5),
    history: {
      appAgeMs: wholeSeconds(APP_AGE_MS, rng.fork('app-age').next()),
      clusterAgeMs: wholeSeconds(CLUSTER_AGE_MS, rng.fork('cluster-age').next()),
    },
    load: jitterLoad(i.scenario.spec.load, rng.fork('load-shape')),
    pastSeed: rng.fork('past-rollouts').hex(16),
    background,
  };
}
