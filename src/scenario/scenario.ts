import type { EntityId, EntityRef } from '../entities/entity-id.js';
import type { RootCause } from '../entities/alias-set.js';
import type { APPS } from './scenario-schema.js';
import type { BackgroundSpec } from '../background/plan-background.js';

/** One change a fault type makes: a fault, or a precondition (the same catalog, made to the manifests the app is deployed with). */
export interface ScenarioChange {
  /** Id of a registered fault type. */
  type: string;
  /** Canonical id (`shop/Deployment/payment`). */
  target: EntityId;
  targetRef: EntityRef;
  /** Output of the fault type's params schema: defaults applied, ready for `inject`. */
  params: unknown;
}

/** One fault of a validated scenario. */
export interface ScenarioFault extends ScenarioChange {
  /** Offset from the end of the warmup. */
  atMs: number;
  /** How long the fault is held; undefined: until the capture ends. */
  durationMs?: number;
}

/**
 * A validated scenario with every default resolved: the one shape the runner, corpus and substrates read.
 * All durations are milliseconds; all entity ids canonical.
 */
export interface Scenario {
  apiVersion: 'firedrill/v1';
  kind: 'Scenario';
  metadata: { id: string; title: string; description: string; tags: string[] };
  spec: {
    app: (typeof APPS)[number];
    /**
     * Where it may run: the substrates the file lists, else every registered substrate that provides all
     * its faults need.
     */
    substrates: string[];
    seed: number;
    load: { rps: number; mix: { browse: number; cart: number; checkout: number } };
    faults: ScenarioFault[];
    /**
     * How the app stood long before the incident: changes made to its manifests before the reset deploys
     * them (`FaultType.asDeployed`); never root causes. Absent (not empty) when the file has none, so that
     * scenarios without any hash as before.
     */
    preconditions?: ScenarioChange[];
    observe: {
      warmupMs: number;
      window: { beforeMs: number; afterMs: number };
      /** Stop waiting when any/all of these fire; an empty list waits the whole timeout. */
      until: { alerts: string[]; mode: 'any' | 'all' };
      timeoutMs: number;
    };
    /** `scenario`: written in the file; `faults`: what the fault types declare for their targets. */
    groundTruth: { rootCauses: RootCause[]; source: 'scenario' | 'faults' };
    expect: { alerts: string[] };
    background: BackgroundSpec;
  };
  /**
   * The expected alerts each root cause answers for, by root-cause id: those its own faults declare (the
   * fault types whose ground truth names it), within `spec.expect.alerts`. A cause missing here (a
   * `groundTruth` override: the ConfigMap of a latent edit) or with none answers for all of them. Filled in
   * by the loader; derived from `spec`, so not part of `scenarioHash`.
   */
  causeAlerts?: Readonly<Record<string, readonly string[]>>;
  /** The file it was loaded from, as the caller named it. Not part of `scenarioHash`. */
  sourceFile: string;
  /** The file's exact text, kept in each bundle's truth/ so a run can be reproduced. Not part of `scenarioHash`. */
  sourceText: string;
}
