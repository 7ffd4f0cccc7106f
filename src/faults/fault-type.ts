import type { z } from 'zod';
import type { EntityId, EntityRef } from '../entities/entity-id.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { Logger } from '../logging/logger.js';
import type { Capability } from '../platform/capabilities.js';
import type { FaultTarget } from '../platform/fault-target.js';

/**
 * What a fault needs from the substrate it runs on. Local and Kubernetes substrates both implement it,
 * so most fault types are written once (see docs/faults.md).
 */
export interface FaultTargetProvider {
  /** The substrate's registered name, for messages and logs. */
  readonly substrate: string;
  /** Substrate-specific capabilities (object API, flags client, Redis endpoint...), typed by the fault. */
  readonly target: FaultTarget;
}

export interface FaultContext<P> extends FaultTargetProvider {
  /** The canonical entity the scenario names as the fault's target. */
  readonly entity: EntityRef;
  readonly params: P;
  readonly logger: Logger;
  /** Aborted when the run is interrupted; long injections should stop early (undo still runs). */
  readonly signal: AbortSignal;
}

/** How to take a fault back. Recorded before the change is made, so recovery survives a failed inject. */
export interface Undo {
  /** One line for the run log: what will be restored. Never copied into snapshot/. */
  readonly description: string;
  undo(): Promise<void>;
}

/**
 * The contract every fault type fulfils: one file per type under src/faults/types/, registered in
 * the catalog. `inject` must be safe to undo at any point after it was called, even if it threw.
 */
export interface FaultType<P = unknown> {
  /** kebab-case id used in scenarios (`type:`). */
  readonly id: string;
  /** One sentence, shown by `firedrill faults`. */
  readonly description: string;
  /** zod schema of `params`; defaults applied here. */
  readonly params: z.ZodType<P>;
  /**
   * What the fault relies on (see src/platform/capabilities.ts): it runs on every substrate that provides
   * all of them.
   */
  readonly needs: readonly Capability[];
  /** Kinds the target may name (canonical, e.g. `Deployment`). */
  readonly targetKinds: readonly string[];
  /**
   * The run-time setting the fault holds on its target's service (`<service>.<setting>` in the settings
   * service), if it works through one: routine activity keeps off that key, and may use the target's others.
   */
  readonly setting?: string;
  /**
   * Whether the fault's effect lives outside its target's pods (a setting each new pod reads), so that a
   * routine rollout, scale-up or pod replacement of the target leaves the incident as it is. Background
   * activity keeps off every other fault's target (runner/run-scenario.ts).
   */
  readonly survivesRestart?: boolean;
  /** Root causes an SRE would fix, derived from target and params unless the scenario overrides them. */
  groundTruth(target: EntityRef, params: P): EntityId[];
  /**
   * Other ids that name a root cause just as well, by root cause (an answer naming one counts), added to
   * the aliases capture derives: for a disturbed link between two workloads, the caller.
   */
  aliases?(target: EntityRef, params: P): Record<EntityId, EntityId[]>;
  /** Alert names this fault is expected to raise (a scenario's expect.alerts may refine them). */
  expectedAlerts(target: EntityRef, params: P): string[];
  inject(ctx: FaultContext<P>): Promise<Undo>;
  /**
   * The same change made to the app's manifests before a reset deploys them, for a scenario's
   * precondition: the app then runs with it from its first revision, as if it had always been so, and no
   * snapshot can tell the changed workload by a revision of its own. Types without it cannot be
   * preconditions (they act on the running app: settings, data stores, chaos). Throws InvalidInputError as
   * `inject` would (a container without the probe, a change that changes nothing).
   */
  asDeployed?(manifests: KubeObject[], target: EntityRef, params: P): void;
  /**
   * Strings that would give this fault away if they showed in snapshot/ (a setting key it writes, a
   * marker it leaves). The runner adds the type ids and the scenario's own names.
   */
  leakTerms?(target: EntityRef, params: P): string[];
}

/** Erases P for heterogeneous lists; params are validated through `params` before use. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFaultType = FaultType<any>;
