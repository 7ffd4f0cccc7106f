import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { TimeoutError } from '../../errors/timeout-error.js';
import type { PostgresAdmin } from '../../platform/fault-target.js';
import type { FaultType, Undo } from '../fault-type.js';
import { postgresAdminOf } from '../support/postgres.js';
import { injectOrRollBack } from '../support/roll-back.js';
import { requirePostgresDeployment } from '../support/workloads.js';

/** The shop's tables (apps/shop/src/db/migrations.ts). */
const TABLES = ['stock', 'orders', 'reservations', 'ledger'] as const;
const MODES = ['SHARE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'] as const;
type Mode = (typeof MODES)[number];
/** How pg_locks names each mode. */
const LOCK_MODE: Record<Mode, string> = {
  SHARE: 'ShareLock',
  EXCLUSIVE: 'ExclusiveLock',
  'ACCESS EXCLUSIVE': 'AccessExclusiveLock',
};

const params = z.strictObject({
  table: z.enum(TABLES).default('ledger').meta({ description: "The shop's table the session locks" }),
  mode: z.enum(MODES).default('SHARE').meta({
    description:
      'SHARE blocks INSERT/UPDATE/DELETE but not SELECT; EXCLUSIVE also blocks SELECT … FOR UPDATE; ACCESS EXCLUSIVE blocks every read too',
  }),
  holdSeconds: z.number().int().min(1).max(3600).default(900).meta({
    description:
      'The longest the session holds the lock: it lets go by itself then, if the fault is not undone first',
  }),
  applicationName: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 letters, digits, _ . or -')
    .default('psql')
    .meta({ description: "The session's application_name, as pg_stat_activity and the server log show it" }),
  grantSeconds: z.number().int().min(1).max(60).default(10).meta({
    description:
      'How long to wait for the lock to be granted; a session holding a conflicting lock for longer fails the injection',
  }),
});
type Params = z.output<typeof params>;

/** The holder's backend and its lock, found by the marker in its statement's text. */
const LOCK_STATE = `SELECT a.pid, l.granted,
       (SELECT string_agg(b.pid || ' ' || coalesce(b.usename, '?') || '/' || coalesce(b.application_name, ''), ', ')
          FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid))) AS blockers
  FROM pg_stat_activity a
  JOIN pg_locks l ON l.pid = a.pid
 WHERE a.query LIKE '%' || $1 || '%' AND a.pid <> pg_backend_pid()
   AND l.locktype = 'relation' AND l.relation = to_regclass($2) AND l.mode = $3`;

const TERMINATE = `SELECT pid, pg_terminate_backend(pid) AS ended
  FROM pg_stat_activity
 WHERE query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()`;

/** How long undo waits for the holder's statement to end once its backend is told to. */
const END_WAIT_MS = 15_000;
const POLL_MS = 100;

/**
 * The one statement that holds the lock: PostgresAdmin runs one statement per connection and awaits it, so
 * the hold is a DO block that takes the lock and sleeps; its transaction, and the lock, end with it. The
 * session names itself like an operator's psql and keeps its own text out of the server log, the statement
 * and its PL/pgSQL context when it is ended (a forgotten `BEGIN; LOCK TABLE …` at a psql prompt logs neither);
 * `lock_timeout` bounds a wait for the lock.
 * Every interpolated value is an enum, an integer or matches a strict pattern (params), or is hex (marker).
 */
export function holdStatement(p: Params, marker: string): string {
  return `DO $$
BEGIN
  /* ${marker} */
  PERFORM set_config('application_name', '${p.applicationName}', false);
  PERFORM set_config('log_min_error_statement', 'panic', false);
  PERFORM set_config('log_min_duration_statement', '-1', false);
  PERFORM set_config('log_error_verbosity', 'terse', false);
  PERFORM set_config('lock_timeout', '${p.grantSeconds}s', false);
  LOCK TABLE ${p.table} IN ${p.mode} MODE;
  PERFORM pg_sleep(${p.holdSeconds});
END
$$`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `ended` settles within `ms`. */
async function endsWithin(ended: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([ended.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Ends the holder's backend and waits for its statement to report the end (retried: it may not have started). */
async function endHolder(
  pg: PostgresAdmin,
  marker: string,
  ended: Promise<unknown>,
  what: string,
): Promise<void> {
  const deadline = Date.now() + END_WAIT_MS;
  for (;;) {
    await pg.query(TERMINATE, [marker]);
    if (await endsWithin(ended, 500)) return;
    if (Date.now() >= deadline) {
      throw new TimeoutError(`the session holding ${what} to end after pg_terminate_backend`, END_WAIT_MS, [
        'a reset ends it too (a session stuck in one statement for over 30 s)',
      ]);
    }
  }
}

/**
 * A session holds a lock on one of the shop's tables, as an operator's forgotten `psql` transaction
 * would: the statements that need a conflicting lock queue behind it until their statement timeouts.
 */
export const dbLockHeld: FaultType<Params> = {
  id: 'db-lock-held',
  description:
    "A session holds a table lock on one of the shop's tables (an operator's forgotten psql transaction): writes to it queue and time out.",
  params,
  needs: ['objects', 'postgres-admin'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  // ledger: only accounting writes it, one message at a time. Its INSERTs wait out the statement timeout
  // (accounting-config: 5000 ms) and fail, the messages stay pending and the group falls behind. The other
  // tables sit on checkout's path (inventory's reservations, checkout's orders): orders fail with 5xx.
  expectedAlerts: (_target, p) =>
    p.table === 'ledger'
      ? ['ShopQueueBacklogAging', 'ShopQueueConsumerErrors', 'ShopDatabaseErrors']
      : ['ShopDatabaseErrors', 'ShopHighErrorRate'],
  async inject(ctx) {
    await requirePostgresDeployment(ctx.target.objects, ctx.entity);
    const pg = postgresAdminOf(ctx.target);
    const p = ctx.params;
    const what = `the ${p.mode} lock on table ${p.table}`;
    const marker = randomBytes(8).toString('hex');
    // Settles (never rejects) when the holder's statement ends: terminated, failed, or held for holdSeconds.
    let result: { error?: unknown } | undefined;
    const ended = pg.query(holdStatement(p, marker)).then(
      () => {
        result = {};
      },
      (error: unknown) => {
        result = { error };
      },
    );
    const undo: Undo = {
      description: `end the session holding ${what}`,
      undo: () => endHolder(pg, marker, ended, what),
    };
    return injectOrRollBack(ctx.logger, undo, async () => {
      const deadline = Date.now() + p.grantSeconds * 1000;
      for (;;) {
        if (result) {
          const err = result.error as (Error & { code?: string }) | undefined;
          if (err?.code === '42P01') {
            throw new Error(
              `table ${p.table} does not exist in the shop's database (has the db-migrate Job run?): ${err.message}`,
            );
          }
          throw new Error(
            `the session meant to hold ${what} ended before it was granted: ${err?.message ?? 'it returned'}`,
          );
        }
        const [row] = await pg.query(LOCK_STATE, [marker, p.table, LOCK_MODE[p.mode]]);
        if (row?.granted === true) {
          ctx.logger.info(
            { pid: row.pid, table: p.table, mode: p.mode },
            `session ${String(row.pid)} holds ${what}`,
          );
          return;
        }
        if (Date.now() >= deadline) {
          const blockers = typeof row?.blockers === 'string' ? row.blockers : '';
          throw new TimeoutError(
            `${what} to be granted`,
            p.grantSeconds * 1000,
            blockers ? [`session(s) holding a conflicting lock: ${blockers}`] : [],
          );
        }
        ctx.signal.throwIfAborted();
        await Promise.race([sleep(POLL_MS), ended]);
      }
    });
  },
};
