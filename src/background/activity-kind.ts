import type { EntityId } from '../entities/entity-id.js';
import type { Logger } from '../logging/logger.js';
import type { Capability } from '../platform/capabilities.js';
import type { FaultTarget } from '../platform/fault-target.js';
import type { SeededRandom } from '../util/seeded-random.js';
import type { ActivityKindId, PlannedAction } from './background-action.js';

/** What an action may act on when it runs. */
export interface ActivityContext {
  target: FaultTarget;
  /** The app's namespace. */
  namespace: string;
  /**
   * Workloads (Deployments, CronJobs) background must not roll out, scale, restart or reschedule, by name:
   * the scenario's fault targets and root causes (but the targets of faults that outlive their pods), so the
   * incident stays the scenario's. Setting blips may
   * still pick them (a key the faults hold is in `heldSettings`). Stateful Deployments whose restart would
   * itself be an incident (Redis, PostgreSQL) are left out by eligible.ts.
   */
  excluded: ReadonlySet<string>;
  /**
   * When `excluded` starts to bind changes that are over at once (a rollout, a release, a reschedule):
   * before then the scenario's targets are as eligible as any other Deployment, so that a workload no
   * routine change ever touched does not stand out as the faulty one. Absent: always.
   */
  excludedFrom?: () => number;
  /**
   * Every Deployment the scenario's faults act on or its truth names, by name (unlike `excluded`, the
   * targets of faults that outlive their pods too): what a change beside the incident must not make spread
   * further in one repeat than in another. Absent: none.
   */
  faultTargets?: ReadonlySet<string>;
  /**
   * Run-time setting keys (`<service>.<setting>`) held now: by background actions (activities/setting-blip.ts)
   * and, for the whole run, by the scenario's faults (FaultType.setting).
   */
  heldSettings: Set<string>;
  now: () => Date;
  logger: Logger;
}

/** The result of running one action. */
export interface ActivityOutcome {
  target: EntityId | null;
  detail: string;
  /** Takes the action back when its duration ends or the run ends. */
  undo?: () => Promise<void>;
}

/**
 * One kind of routine activity a working cluster shows. `plan` draws its values from the seed ahead of
 * the run; `run` acts through the same capabilities faults use.
 */
export interface ActivityKind {
  readonly id: ActivityKindId;
  /** What the substrate must provide for this activity (it is left out of the schedule otherwise). */
  readonly needs: readonly Capability[];
  /** Alerts this activity may raise on purpose (low severity); checks treat them as background. */
  readonly alerts: readonly string[];
  /**
   * When it is planned. Default: from shortly before the window to the horizon. `warmup`: from the start
   * of the warmup, for activity whose trace is history (restart counts, last states) as much as events in
   * the window. `start`: in the first 10 s of the warmup, for chronic trouble that was there all along.
   * `before-fault`: ending 70–100 s before the earliest the fault could come given the window's start
   * (plan-background.ts), for an episode whose alerts fire and resolve before the fault, dated from the
   * window and never from the fault; the run's warmup grows to make room (run-plan.ts).
   */
  readonly from?: 'warmup' | 'start' | 'before-fault';
  /**
   * Actions of this kind never overlap: a later one waits until the one before has ended. Two cache
   * bypasses at once (cart's price cache and catalog's product cache) stack into a slow path no single
   * bypass makes: in 8 of the 10 runs of session 17's corpus where they overlapped before the fault, p95
   * latency alerts went pending at cart, checkout or the frontend before it (22 of the other 70 runs), and
   * in two they fired (a quiet-baseline failure, and an unstable pair).
   */
  readonly oneAtATime?: boolean;
  plan(rng: SeededRandom): Pick<PlannedAction, 'durationMs' | 'params'>;
  run(action: PlannedAction, ctx: ActivityContext): Promise<ActivityOutcome>;
}
