import { MIGRATIONS } from '../db/migrations.js';
import { DependencyError } from '../runtime/dependency-error.js';
import { shopPostgres, type InstrumentedPostgres } from '../runtime/postgres-client.js';
import { JobError, type BatchJob, type JobContext } from './job-runtime.js';

/** How long the job waits for PostgreSQL to accept connections before failing (the Job retries it). */
const WAIT_FOR_DB_MS = 60_000;
const RETRY_EVERY_MS = 2000;
/** Any constant: every runner of the migrations takes the same advisory lock, so two never interleave. */
const LOCK_KEY = 72_110_431;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * Brings the shop's schema up to date, as a Kubernetes Job before the services that need it: waits for the
 * database, takes an advisory lock, and applies each migration not yet in schema_migrations inside its own
 * transaction. A migration that fails leaves the schema at the previous version and the job failed, which
 * the inventory and checkout readiness checks then show.
 */
export const dbMigrateJob: BatchJob = {
  title: 'database migration',
  async run(ctx: JobContext): Promise<void> {
    const { config, logger, signal } = ctx;
    // statement_timeout guards request paths; a migration cancelled half-way would only be retried
    const db = shopPostgres(ctx, { ...config.db, poolMax: 1, statementTimeoutMs: 0 });
    try {
      await waitForDatabase(ctx, db);
      await db.transaction(async (tx) => {
        await tx.query({ name: 'SELECT' }, 'SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
        await tx.query(
          { name: 'DDL', collection: 'schema_migrations' },
          `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`,
        );
        const done = new Set(
          (
            await tx.query<{ version: number }>(
              { name: 'SELECT', collection: 'schema_migrations' },
              'SELECT version FROM schema_migrations',
            )
          ).map((r) => r.version),
        );
        const pending = MIGRATIONS.filter((m) => !done.has(m.version));
        if (pending.length === 0) {
          logger.info({ version: MIGRATIONS.at(-1)?.version }, 'database schema is up to date');
          return;
        }
        for (const m of pending) {
          if (signal.aborted) throw new JobError(`stopped before migration ${m.version}`);
          const started = performance.now();
          try {
            await tx.query({ name: 'DDL' }, m.sql);
          } catch (err) {
            const code = err instanceof DependencyError ? err.code : undefined;
            throw new JobError(`migration ${m.version} (${m.name}): ${(err as Error).message}`, code);
          }
          await tx.query(
            { name: 'INSERT', collection: 'schema_migrations' },
            'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)',
            [m.version, m.name],
          );
          logger.info(
            { version: m.version, duration_ms: Math.round(performance.now() - started) },
            `applied migration ${m.version} (${m.name})`,
          );
        }
      });
    } finally {
      await db.close();
    }
  },
};

async function waitForDatabase(ctx: JobContext, db: InstrumentedPostgres): Promise<void> {
  const deadline = Date.now() + WAIT_FOR_DB_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await db.ping();
      return;
    } catch (err) {
      if (Date.now() >= deadline || ctx.signal.aborted) throw err;
      if (attempt === 1 || attempt % 5 === 0)
        ctx.logger.info(
          { err_code: err instanceof DependencyError ? err.code : undefined },
          `waiting for the database at ${ctx.config.db.host}:${ctx.config.db.port}`,
        );
      await sleep(RETRY_EVERY_MS, ctx.signal);
    }
  }
}
