import { z } from 'zod';
import type { FaultTarget, PostgresAdmin } from '../../platform/fault-target.js';

/**
 * The substrate's PostgreSQL admin. Every substrate that provides `postgres-admin` lends one, and a scenario
 * whose faults need it is refused on any other, so its absence here is a substrate bug, not bad input.
 */
export function postgresAdminOf(target: FaultTarget): PostgresAdmin {
  if (!target.postgres) {
    throw new Error(
      'this substrate lends no PostgreSQL admin (capability postgres-admin), so a PostgreSQL fault cannot run on it',
    );
  }
  return target.postgres;
}

/**
 * A role name as the shop's roles are spelled (lower case, digits, underscores), so it can be written into a
 * statement that takes no bind parameters (ALTER ROLE); it is double-quoted there as well.
 */
export const roleName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a PostgreSQL role name: lower-case letters, digits, _');

/** A quoted identifier. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A quoted string literal (standard_conforming_strings, on since PostgreSQL 9.1). */
export const quoteLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/**
 * A clearer error for a statement that failed because one of the shop's tables does not exist: the
 * db-migrate Job has not run. Undefined for any other failure.
 */
export function missingTableError(table: string, err: unknown): Error | undefined {
  const e = err as (Error & { code?: string }) | undefined;
  if (e?.code !== '42P01') return undefined;
  return new Error(
    `table ${table} does not exist in the shop's database (has the db-migrate Job run?): ${e.message}`,
  );
}
