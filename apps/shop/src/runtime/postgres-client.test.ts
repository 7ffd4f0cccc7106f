// InstrumentedPostgres against a real PostgreSQL, started by the entrypoint the postgres image and the local
// substrate run: the pool's gauges, and the `audit` setting's connection leak (fault type db-pool-exhaustion).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { parsePrometheusText, sumSamples } from '../dev/prom-text.js';
import { startPostgresServer, type PostgresServer } from '../dev/postgres-server.js';
import type { DbConfig } from './config.js';
import { DependencyError } from './dependency-error.js';
import { ShopMetrics } from './metrics.js';
import { InstrumentedPostgres } from './postgres-client.js';
import type { RuntimeSettings } from './settings.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The entrypoint finds the server on PATH or in Debian's /usr/lib/postgresql/<major>/bin. */
function serverInstalled(): boolean {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian) && readdirSync(debian).some((v) => existsSync(`${debian}/${v}/bin/postgres`)))
    return true;
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(`${d}/postgres`));
}

const installed = serverInstalled();
if (!installed)
  console.log(
    'apps/shop/src/runtime/postgres-client.test.ts skipped: no postgres server installed (apt-get install postgresql-15)',
  );
const suite = installed ? describe : describe.skip;

suite('InstrumentedPostgres (real PostgreSQL)', () => {
  let server: PostgresServer;
  const open: InstrumentedPostgres[] = [];

  beforeAll(async () => {
    server = await startPostgresServer({ repoRoot: REPO_ROOT });
  }, 90_000);
  afterAll(async () => {
    for (const db of open) await db.close();
    await server?.stop();
  });

  function make(settings: RuntimeSettings, poolMax = 3) {
    const metrics = new ShopMetrics();
    const db: DbConfig = {
      host: '127.0.0.1',
      port: server.port,
      user: server.user,
      password: server.password,
      database: server.database,
      poolMax,
      acquireTimeoutMs: 300,
      idleTimeoutMs: 10_000,
      statementTimeoutMs: 2000,
      slowQueryMs: 1000,
    };
    const pg = new InstrumentedPostgres({
      service: 'inventory',
      db,
      tracer: trace.getTracer('test'),
      metrics,
      logger: pino({ level: 'silent' }),
      settings: { current: settings },
    });
    open.push(pg);
    const sample = async (name: string, labels: Record<string, string> = {}) =>
      sumSamples(parsePrometheusText(await metrics.registry.metrics()), name, {
        service: 'inventory',
        ...labels,
      });
    return { pg, sample };
  }

  test('without the audit setting every connection goes back to the pool', async () => {
    const { pg, sample } = make({});
    for (let i = 0; i < 10; i++) await pg.query({ name: 'SELECT' }, 'SELECT 1');
    await pg.transaction((tx) => tx.query({ name: 'SELECT' }, 'SELECT 2'));
    expect(await sample('db_client_connection_count', { state: 'used' })).toBe(0);
  });

  test('audit sampling on every transaction keeps one connection per transaction until the pool is empty', async () => {
    const { pg, sample } = make({ audit: { fraction: 1 } }, 3);
    await pg.query({ name: 'SELECT' }, 'SELECT 1');
    await pg.transaction((tx) => tx.query({ name: 'SELECT' }, 'SELECT 2'));
    expect(await sample('db_client_connection_count', { state: 'used' })).toBe(2);
    await pg.query({ name: 'SELECT' }, 'SELECT 3');
    expect(await sample('db_client_connection_count', { state: 'used' })).toBe(3);

    // The pool is drained: the next statement waits acquireTimeoutMs for a connection and gives up.
    const err = await pg.query({ name: 'SELECT' }, 'SELECT 4').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyError);
    expect((err as DependencyError).code).toBe('POOL_TIMEOUT');
    expect((err as DependencyError).message).toMatch(/3\/3 in use/);
    expect(await sample('db_client_connection_timeouts_total')).toBe(1);
  });
});
