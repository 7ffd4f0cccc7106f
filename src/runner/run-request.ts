import type { CaptureScope } from '../capture/capture-scope.js';
import type { FaultRegistry } from '../faults/fault-registry.js';
import type { Logger } from '../logging/logger.js';
import type { ProgressReporter, Substrate } from '../platform/substrate.js';
import type { Scenario } from '../scenario/scenario.js';
import type { Clock } from '../util/clock.js';
import type { RunPlan } from './run-plan.js';

export interface RunRequest {
  scenario: Scenario;
  repeat: number;
  seed: number;
  outDir: string;
  bundleId: string;
  /** The corpus secret: window offsets and the background schedule are drawn from it (corpus-secret.ts). */
  secret: string;
  /** The run's drawn plan; default planRun() of the request. Tests pass one to pin offsets. */
  plan?: RunPlan;
  substrate: Substrate;
  registry: FaultRegistry;
  logger: Logger;
  progress: ProgressReporter;
  signal: AbortSignal;
  clock?: Clock;
  scope?: CaptureScope;
  /** Replace an existing bundle of the same id. */
  replace?: boolean;
  /** How long the app may take to be healthy again after recovery. */
  recoverTimeoutMs?: number;
}

/** The run phases, in order; `timings` has one entry per phase. */
export const RUN_PHASES = ['reset', 'warmup', 'inject', 'wait', 'capture', 'commit', 'recover'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface RunOutcome {
  bundleDir: string;
  manifested: boolean;
  /** Milliseconds per phase. */
  timings: Partial<Record<RunPhase, number>>;
  /** Time the testbed spent beyond the scenario's own waits (warmup, waiting for the incident). */
  overheadMs: number;
  firedAlerts: string[];
  leaks: number;
}
