import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { TimeoutError } from '../../errors/timeout-error.js';
import type { PostgresAdmin } from '../../platform/fault-target.js';
import type { FaultContext, Undo } from '../fault-type.js';
import { postgresAdminOf } from './postgres.js';
import { injectOrRollBack } from './roll-back.js';

/**
 * The params of a holding session, shared by the types that start one; `what` names the locks in the
 * descriptions ("the lock").
 */
export function holderParams(defaults: { what: string; applicationName: string }) {
  const { what } = defaults;
  return {
    holdSeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(900)
      .meta({
        description: `The longest the session holds ${what}: it lets go by itself then, if the fault is not undone first`,
      }),
    applicationName: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,32}$/, 'must be 1-32 letters, digits, _ . or -')
      .default(defaults.applicationName)
      .meta({
        description: "The session's application_name, as pg_stat_activity and the server log show it",
      }),
    grantSeconds: z
      .number()
      .int()
      .min(1)
      .max(60)
      .default(10)
      .meta({
        description: `How long to wait for ${what} to be granted; a session holding a conflicting lock for longer fails the injection`,
      }),
  };
}

/** How the holding session runs: the output of holderParams. */
export interface HolderSession {
  /** Matches `[A-Za-z0-9_.-]{1,32}` (holderParams), so it can be written into the statement. */
  readonly applicationName: string;
  readonly holdSeconds: number;
  /** How long the locks may take to be granted, on the server (lock_timeout) and here. */
  readonly grantSeconds: number;
}

/** Locks a session takes and then keeps, as a forgotten transaction or a long batch job would. */
export interface HeldLocks {
  /** What the session holds, for messages and the undo: "the SHARE lock on table ledger". */
  readonly what: string;
  /**
   * The PL/pgSQL statements that take the locks. They become SQL text (a DO block takes no bind parameters),
   * so every value in them must be an enum, an integer, a strict pattern or a quoted literal.
   */
  readonly take: string;
  /** A clearer error for the session's statement failing with `err` before it held the locks. */
  readonly explain?: (err: Error & { code?: string }) => Error | undefined;
  /** Fields of the log line once the locks are held. */
  readonly logFields?: Readonly<Record<string, unknown>>;
}

/**
 * The holder's backend, found by the marker in its statement's text. It has taken every lock once it
 * reaches the pg_sleep that follows them; until then pg_blocking_pids names whoever it is queued behind.
 */
const HOLDER_STATE = `SELECT a.pid, (a.wait_event_type = 'Timeout' AND a.wait_event = 'PgSleep') IS TRUE AS holding,
       (SELECT string_agg(b.pid || ' ' || coalesce(b.usename, '?') || '/' || coalesce(b.application_name, ''), ', ')
          FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid))) AS blockers
  FROM pg_stat_activity a
 WHERE a.query LIKE '%' || $1 || '%' AND a.pid <> pg_backend_pid()`;

const TERMINATE = `SELECT pid, pg_terminate_backend(pid) AS ended
  FROM pg_stat_activity
 WHERE query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid()`;

/** How long undo waits for the holder's statement to end once its backend is told to. */
const END_WAIT_MS = 15_000;
const POLL_MS = 100;

/**
 * The one statement that holds the locks: PostgresAdmin runs one statement per connection and awaits it, so
 * the hold is a DO block that takes the locks and sleeps; its transaction, and the locks, end with it. The
 * session names itself and keeps its own text out of the server log, the statement and its PL/pgSQL context
 * when it is ended (a forgotten transaction at a psql prompt, or a batch job between statements, logs
 * neither); `lock_timeout` bounds a wait for the locks. The marker is hex.
 */
export function holderStatement(session: HolderSession, take: string, marker: string): string {
  return `DO $$
BEGIN
  /* ${marker} */
  PERFORM set_config('application_name', '${session.applicationName}', false);
  PERFORM set_config('log_min_error_statement', 'panic', false);
  PERFORM set_config('log_min_duration_statement', '-1', false);
  PERFORM set_config('log_error_verbosity', 'terse', false);
  PERFORM set_config('lock_timeout', '${session.grantSeconds}s', false);
  ${take}
  PERFORM pg_sleep(${session.holdSeconds});
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
 * Starts a session that takes `locks` and keeps them for up to `session.holdSeconds`, and returns once it
 * holds them; the undo ends that session. A session that is not granted the locks in grantSeconds (or
 * fails, or the run is interrupted) is ended before the error is reported.
 */
export async function holdLocks(
  ctx: Pick<FaultContext<unknown>, 'target' | 'logger' | 'signal'>,
  session: HolderSession,
  locks: HeldLocks,
): Promise<Undo> {
  const pg = postgresAdminOf(ctx.target);
  const { what } = locks;
  const marker = randomBytes(8).toString('hex');
  // Settles (never rejects) when the holder's statement ends: terminated, failed, or held for holdSeconds.
  let result: { error?: unknown } | undefined;
  const ended = pg.query(holderStatement(session, locks.take, marker)).then(
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
    const deadline = Date.now() + session.grantSeconds * 1000;
    // The sessions it was last seen queued behind: the server's lock_timeout may end the wait first.
    let blockers = '';
    const notGranted = (): TimeoutError =>
      new TimeoutError(
        `${what} to be granted`,
        session.grantSeconds * 1000,
        blockers ? [`session(s) holding a conflicting lock: ${blockers}`] : [],
      );
    for (;;) {
      if (result) {
        const err = result.error as (Error & { code?: string }) | undefined;
        // lock_not_available: its lock_timeout, the same grantSeconds, ran out on the server first.
        if (err?.code === '55P03') throw notGranted();
        const explained = err && locks.explain?.(err);
        if (explained) throw explained;
        throw new Error(
          `the session meant to hold ${what} ended before it was granted: ${err?.message ?? 'it returned'}`,
        );
      }
      const [row] = await pg.query(HOLDER_STATE, [marker]);
      if (row?.holding === true) {
        ctx.logger.info({ pid: row.pid, ...locks.logFields }, `session ${String(row.pid)} holds ${what}`);
        return;
      }
      if (typeof row?.blockers === 'string' && row.blockers !== '') blockers = row.blockers;
      if (Date.now() >= deadline) throw notGranted();
      ctx.signal.throwIfAborted();
      await Promise.race([sleep(POLL_MS), ended]);
    }
  });
}
