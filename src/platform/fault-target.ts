import type { ChaosApi } from './chaos-api.js';
import type { ObjectApi } from './object-api.js';

/** The shop's run-time settings service (testbed machinery, never captured). */
export interface FlagsApi {
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

/** Admin access to the shop's Redis over its own protocol (as an operator with redis-cli would). */
export interface RedisAdmin {
  /** Runs one command; `password` overrides the current credentials (needed after a password change). */
  command(args: string[], opts?: { password?: string }): Promise<unknown>;
}

/**
 * Capabilities a substrate lends to fault types. Both substrates implement every one, so a fault type
 * written against them runs on either (see docs/faults.md); `chaos` refuses the experiments a substrate
 * does not provide (its capabilities say which, so a scenario never asks).
 */
export interface FaultTarget {
  readonly objects: ObjectApi;
  readonly flags: FlagsApi;
  readonly redis: RedisAdmin;
  readonly chaos: ChaosApi;
}
