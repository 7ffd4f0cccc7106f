import { RecordingPostgres, type PostgresAnswer } from './fake-target.js';

/**
 * The statement a holding session runs (src/faults/support/postgres-holder.ts), folded onto one line as
 * RecordingPostgres records it, with its marker (16 hex digits) written <marker>.
 */
export const heldStatement = (take: string, seconds: number, app: string, grant = 10): string =>
  `DO $$ BEGIN /* <marker> */ PERFORM set_config('application_name', '${app}', false); PERFORM set_config('log_min_error_statement', 'panic', false); PERFORM set_config('log_min_duration_statement', '-1', false); PERFORM set_config('log_error_verbosity', 'terse', false); PERFORM set_config('lock_timeout', '${grant}s', false); ${take} PERFORM pg_sleep(${seconds}); END $$`;

/** Whether the holding session has reached its sleep, and whom it waits behind until then. */
export const HOLDER_STATE = `SELECT a.pid, (a.wait_event_type = 'Timeout' AND a.wait_event = 'PgSleep') IS TRUE AS holding, (SELECT string_agg(b.pid || ' ' || coalesce(b.usename, '?') || '/' || coalesce(b.application_name, ''), ', ') FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid))) AS blockers FROM pg_stat_activity a WHERE a.query LIKE '%' || $1 || '%' AND a.pid <> pg_backend_pid() ["<marker>"]`;

export const TERMINATE_HOLDER =
  "SELECT pid, pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid() [\"<marker>\"]";

const terminated = (): Error =>
  Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

/**
 * One PostgreSQL backend at a time holding (or waiting for) locks: the DO statement stays pending until it
 * is terminated, fails at once when `failHold` is set, and reaches its sleep unless `blockedBy` names the
 * session it is queued behind. `failOn` makes matching statements fail; `answer` answers any other
 * statement (none expected by default).
 */
export class HolderPostgres extends RecordingPostgres {
  holder: { marker: string; statement: string; end: (err?: Error) => void } | undefined;
  blockedBy: string | undefined;
  failHold: Error | undefined;
  terminations = 0;

  constructor(opts: { failOn?: RegExp; answer?: PostgresAnswer } = {}) {
    super();
    this.answer = (sql, params, queryOpts) => {
      if (opts.failOn?.test(sql)) throw new Error('Connection terminated unexpectedly');
      if (sql.startsWith('DO $$')) {
        if (this.failHold) throw this.failHold;
        const marker = /\/\* ([0-9a-f]+) \*\//.exec(sql)?.[1] ?? '';
        return new Promise((resolve, reject) => {
          this.holder = { marker, statement: sql, end: (err) => (err ? reject(err) : resolve([])) };
        });
      }
      if (sql.startsWith('SELECT a.pid, (a.wait_event_type')) {
        const h = this.holder;
        if (!h || params[0] !== h.marker) return [];
        return [{ pid: 4321, holding: this.blockedBy === undefined, blockers: this.blockedBy ?? null }];
      }
      if (sql.startsWith('SELECT pid, pg_terminate_backend(pid)')) {
        const h = this.holder;
        if (!h || params[0] !== h.marker) return [];
        this.terminations++;
        this.holder = undefined;
        h.end(terminated());
        return [{ pid: 4321, ended: true }];
      }
      if (opts.answer) return opts.answer(sql, params, queryOpts);
      throw new Error(`unexpected statement: ${sql}`);
    };
  }

  /** The calls with the marker replaced, to compare with the expected statements. */
  get statements(): string[] {
    return this.calls.map((c) => c.replace(/[0-9a-f]{16}/g, '<marker>'));
  }
}
