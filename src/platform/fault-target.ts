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

/** A row as PostgreSQL returns it: column name → value (numbers beyond 2^53 and numerics as strings). */
export type PostgresRow = Record<string, unknown>;

/**
 * Admin access to the shop's PostgreSQL as its superuser, over its own protocol (as an operator with
 * `psql` would): run-time settings (`ALTER SYSTEM`, `ALTER ROLE`), sessions (`pg_stat_activity`,
 * `pg_terminate_backend`), locks. The pod, its spec and its Secret stay unchanged.
 */
export interface PostgresAdmin {
  /**
   * Runs one statement (`$1`, `$2`… bound to `params`) on a connection of its own, in the app's database
   * unless `database` names another, and returns its rows (none for a statement that returns none).
   */
  query(sql: string, params?: readonly unknown[], opts?: { database?: string }): Promise<PostgresRow[]>;
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
  /** The shop's PostgreSQL; absent on a substrate or in a test that has none. */
  readonly postgres?: PostgresAdmin;
  readonly chaos: ChaosApi;
}
