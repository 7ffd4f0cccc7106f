// db-lock-held, db-slow-query, db-connection-limit and db-read-only against a real PostgreSQL: the server the
// postgres image and the local substrate run (images/postgres/entrypoint.sh, via
// apps/shop/src/dev/postgres-server.ts), the real admin adapter (PgPostgresAdmin), and the app's role on
// connections of its own, as the shop's pools.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS } from '../../../apps/shop/src/db/migrations.js';
import { startPostgresServer, type PostgresServer } from '../../../apps/shop/src/dev/postgres-server.js';
import { TimeoutError } from '../../errors/timeout-error.js';
import { processesInGroup } from '../../process/proc-info.js';
import { PgPostgresAdmin } from '../../substrates/pg-postgres-admin.js';
import { findTool } from '../../tools/find-tool.js';
import { POSTGRES } from '../../tools/tool-specs.js';
import { REPO_ROOT } from '../../version.js';
import { waitFor } from '../../util/wait-for.js';
import {
  contextFor,
  loadShopObjects,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import type { FaultTarget } from '../../platform/fault-target.js';
import { dbConnectionLimit } from './db-connection-limit.js';
import { dbLockHeld } from './db-lock-held.js';
import { dbReadOnly } from './db-read-only.js';
import { dbSlowQuery } from './db-slow-query.js';

async function skipReason(): Promise<string | undefined> {
  const server = await findTool(POSTGRES);
  if (!server) return 'no postgres server installed (apt-get install postgresql-15)';
  if (
    !existsSync(join(dirname(server.path), 'initdb')) &&
    !(await findTool({ ...POSTGRES, candidates: ['initdb'] }))
  )
    return `no initdb beside ${server.path}`;
  return undefined;
}

const reason = await skipReason();
if (reason) console.log(`src/faults/types/db-faults-live.test.ts skipped: ${reason}`);
const suite = reason ? describe.skip : describe;

const code = (err: unknown): string | undefined => (err as { code?: string } | undefined)?.code;

suite('PostgreSQL faults against a real PostgreSQL', () => {
  let server: PostgresServer;
  let shop: ShopObjects;
  let target: FaultTarget;
  const clients: pg.Client[] = [];

  /** A connection as the app's role, as one of the shop's pools opens it. */
  async function app(opts: { statementTimeoutMs?: number; name?: string } = {}): Promise<pg.Client> {
    const c = new pg.Client({
      host: '127.0.0.1',
      port: server.port,
      user: server.user,
      password: server.password,
      database: server.database,
      application_name: opts.name ?? 'accounting',
      ...(opts.statementTimeoutMs ? { statement_timeout: opts.statementTimeoutMs } : {}),
    });
    // A session the server ends (pg_terminate_backend) must not take the test down.
    c.on('error', () => undefined);
    clients.push(c);
    await c.connect();
    return c;
  }

  /** How long `work` took, ms. */
  async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
    const started = performance.now();
    const out = await work();
    return [out, Math.round(performance.now() - started)];
  }

  beforeAll(async () => {
    shop = await loadShopObjects();
    server = await startPostgresServer({ repoRoot: REPO_ROOT });
    const admin = new PgPostgresAdmin(async () => ({
      host: '127.0.0.1',
      port: server.port,
      password: server.password,
      database: server.database,
      users: ['postgres', 'shop'],
    }));
    target = { ...shopTarget(shop), postgres: admin };
    const owner = await app({ name: 'db-migrate' });
    await owner.query('CREATE TABLE ledger (order_id text PRIMARY KEY, amount_usd numeric NOT NULL)');
    await owner.query("INSERT INTO ledger VALUES ('o-1', 10)");
    // The shop's own stock table and its products, as db-migrate creates them.
    const stock = MIGRATIONS.find((m) => m.name === 'stock');
    if (!stock) throw new Error('no stock migration in apps/shop/src/db/migrations.ts');
    await owner.query(stock.sql);
    await owner.end();
  }, 60_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });

  afterAll(async () => {
    const pid = server?.process.pid;
    await server?.stop();
    // Nothing of the server outlives the test.
    if (pid) expect(processesInGroup(pid)).toEqual([]);
  }, 20_000);

  it('db-lock-held: an INSERT from the app waits out its statement timeout while SELECTs work; after undo it goes through', async () => {
    const [undo, injectMs] = await timed(() =>
      dbLockHeld.inject(
        contextFor(dbLockHeld, target, 'shop/Deployment/postgres', { holdSeconds: 120, grantSeconds: 5 }),
      ),
    );
    let undone = false;
    try {
      const c = await app({ statementTimeoutMs: 1000 });
      const [read, readMs] = await timed(() => c.query<{ n: string }>('SELECT count(*) AS n FROM ledger'));
      expect(read.rows).toEqual([{ n: '1' }]);
      const [err, insertMs] = await timed(() =>
        c.query("INSERT INTO ledger VALUES ('o-2', 20)").then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      expect(code(err)).toBe('57014'); // query_canceled: canceling statement due to statement timeout
      expect(insertMs).toBeGreaterThanOrEqual(950);

      // The holder, as the superuser sees it in pg_stat_activity: an operator's psql session in one statement.
      const holders = await target.postgres?.query(
        `SELECT a.usename, a.application_name, a.state, a.wait_event, l.mode
           FROM pg_locks l JOIN pg_stat_activity a USING (pid)
          WHERE l.relation = 'ledger'::regclass AND l.granted AND l.mode = 'ShareLock'`,
      );
      expect(holders).toEqual([
        {
          usename: 'postgres',
          application_name: 'psql',
          state: 'active',
          wait_event: 'PgSleep',
          mode: 'ShareLock',
        },
      ]);

      const [, undoMs] = await timed(() => undo.undo());
      undone = true;
      const [ok, afterMs] = await timed(() => c.query("INSERT INTO ledger VALUES ('o-2', 20)"));
      expect(ok.rowCount).toBe(1);
      // The server's log tells of the wait and the ended session, never of the statement that held the lock.
      const log = await waitFor(
        'the ended session in the server log',
        () => {
          const lines = server.process.stderr;
          return (
            lines.some((l) => l.includes('terminating connection due to administrator command')) && lines
          );
        },
        { timeoutMs: 5000 },
      );
      expect(log.filter((l) => /pg_sleep|LOCK TABLE|set_config|DO \$\$/.test(l))).toEqual([]);
      console.log(
        `db-lock-held live: inject ${injectMs} ms, SELECT ${readMs} ms under the lock, INSERT canceled after ${insertMs} ms (57014), undo ${undoMs} ms, INSERT after undo ${afterMs} ms`,
      );
    } finally {
      if (!undone) await undo.undo();
    }
  }, 30_000);

  it("db-slow-query: a locked product's reservation waits out its statement timeout while another product's goes through; after undo both do", async () => {
    const [locked, free] = ['0PUK6V6EV0', 'OLJCESPC7Z'];
    /** inventory's reservation of one unit (apps/shop/src/services/inventory.ts). */
    const reserve = (c: pg.Client, id: string): Promise<pg.QueryResult> =>
      c.query(
        `UPDATE stock SET available = available - 1, updated_at = now()
          WHERE product_id = $1 AND available >= 1 RETURNING available`,
        [id],
      );
    const ended = (): number =>
      server.process.stderr.filter((l) => l.includes('terminating connection due to administrator command'))
        .length;
    const endedBefore = ended();
    const [undo, injectMs] = await timed(() =>
      dbSlowQuery.inject(
        contextFor(dbSlowQuery, target, 'shop/Deployment/postgres', { holdSeconds: 120, grantSeconds: 5 }),
      ),
    );
    let undone = false;
    try {
      const c = await app({ statementTimeoutMs: 500, name: 'inventory' });
      const [err, lockedMs] = await timed(() =>
        reserve(c, locked).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      expect(code(err)).toBe('57014'); // query_canceled: canceling statement due to statement timeout
      expect(lockedMs).toBeGreaterThanOrEqual(450);
      const [ok, freeMs] = await timed(() => reserve(c, free));
      expect(ok.rowCount).toBe(1);
      expect(freeMs).toBeLessThan(400);

      // What an SRE finds in pg_stat_activity: a reservation waiting on a transaction, blocked by the batch
      // job's session asleep in its one statement.
      const waiter = await app({ statementTimeoutMs: 10_000, name: 'inventory' });
      const waiting = reserve(waiter, locked);
      // Awaited after the undo; a failure before then must not surface as an unhandled rejection.
      waiting.catch(() => undefined);
      const seen = await waitFor(
        'the waiting reservation in pg_stat_activity',
        async () => {
          const rows = await target.postgres?.query(
            `SELECT w.wait_event_type, w.wait_event, h.usename, h.application_name, h.state,
                    h.wait_event AS holder_wait_event
               FROM pg_stat_activity w
               CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS b(pid)
               JOIN pg_stat_activity h ON h.pid = b.pid
              WHERE w.application_name = 'inventory' AND w.query LIKE 'UPDATE stock%'`,
          );
          return rows && rows.length > 0 ? rows : undefined;
        },
        { timeoutMs: 5000, intervalMs: 50 },
      );
      expect(seen).toEqual([
        {
          wait_event_type: 'Lock',
          wait_event: 'transactionid',
          usename: 'postgres',
          application_name: 'stock-recount',
          state: 'active',
          holder_wait_event: 'PgSleep',
        },
      ]);

      const [, undoMs] = await timed(() => undo.undo());
      undone = true;
      // The reservation that was waiting goes through once the session ends, and so does the next one.
      expect((await waiting).rowCount).toBe(1);
      const [again, afterMs] = await timed(() => reserve(c, locked));
      expect(again.rowCount).toBe(1);
      expect((await reserve(c, free)).rowCount).toBe(1);
      // The server's log tells of the ended session, never of the statement that held the rows.
      const log = await waitFor(
        'the ended session in the server log',
        () => ended() > endedBefore && server.process.stderr,
        { timeoutMs: 5000 },
      );
      expect(log.filter((l) => /pg_sleep|FOR UPDATE|set_config|DO \$\$/.test(l))).toEqual([]);
      console.log(
        `db-slow-query live: inject ${injectMs} ms, UPDATE of ${locked} canceled after ${lockedMs} ms (57014), UPDATE of ${free} ${freeMs} ms, undo ${undoMs} ms, UPDATE of ${locked} after undo ${afterMs} ms`,
      );
    } finally {
      if (!undone) await undo.undo();
    }
  }, 30_000);

  it('db-slow-query: a row an open transaction holds is not granted in time; the inject names that session and leaves none behind', async () => {
    const busy = await app({ name: 'inventory' });
    await busy.query('BEGIN');
    await busy.query("UPDATE stock SET available = available - 1 WHERE product_id = '1YMWWN1N4O'");
    const pid = (await busy.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    try {
      const err = await dbSlowQuery
        .inject(contextFor(dbSlowQuery, target, 'shop/Deployment/postgres', { grantSeconds: 1 }))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(TimeoutError);
      expect((err as Error).message).toBe(
        `timed out after 1000 ms waiting for the row locks on stock of products 0PUK6V6EV0, 1YMWWN1N4O to be granted; still waiting for: session(s) holding a conflicting lock: ${pid} shop/inventory`,
      );
      const left = await target.postgres?.query(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'stock-recount'",
      );
      expect(left).toEqual([]);
    } finally {
      await busy.query('ROLLBACK');
    }
  }, 30_000);

  it('db-connection-limit: with limit 1 the open session is ended, one connection gets in, the next is refused with 53300; undo restores', async () => {
    const before = await app({ name: 'checkout' });
    const undo = await dbConnectionLimit.inject(
      contextFor(dbConnectionLimit, target, 'shop/Deployment/postgres', { limit: 1 }),
    );
    let undone = false;
    try {
      // The session that was open is gone: its next statement fails.
      const ended = await before.query('SELECT 1').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ended).toBeInstanceOf(Error);

      const first = await app({ name: 'inventory' });
      expect((await first.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      const refused = await app({ name: 'fulfillment' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(code(refused)).toBe('53300');
      expect((refused as Error).message).toBe('too many connections for role "shop"');

      await undo.undo();
      undone = true;
      const limit = await first.query<{ rolconnlimit: number }>(
        "SELECT rolconnlimit FROM pg_roles WHERE rolname = 'shop'",
      );
      expect(limit.rows).toEqual([{ rolconnlimit: -1 }]);
      const again = await app({ name: 'fulfillment' });
      expect((await again.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      console.log(
        `db-connection-limit live: limit 1, open session ended (${(ended as Error).message}), second connection refused: ${code(refused)} ${(refused as Error).message}; after undo rolconnlimit -1 and connections work`,
      );
    } finally {
      if (!undone) await undo.undo();
    }
  }, 30_000);

  it('db-read-only: writes fail with 25006 while reads work; after undo writes go through', async () => {
    const undo = await dbReadOnly.inject(contextFor(dbReadOnly, target, 'shop/Deployment/postgres'));
    let undone = false;
    try {
      const c = await app({ statementTimeoutMs: 2000 });
      // The reload reaches the open session at its next statement (pg_reload_conf only signals).
      const [err, ms] = await timed(() =>
        waitFor(
          'a write refused',
          () =>
            c.query("INSERT INTO ledger VALUES ('o-3', 30) ON CONFLICT DO NOTHING").then(
              () => false,
              (e: unknown) => e,
            ),
          { timeoutMs: 5000, intervalMs: 50 },
        ),
      );
      expect(code(err)).toBe('25006');
      expect((await c.query('SELECT count(*) AS n FROM ledger')).rows).toEqual([{ n: expect.any(String) }]);
      await undo.undo();
      undone = true;
      await waitFor(
        'a write taken again',
        () =>
          c.query("INSERT INTO ledger VALUES ('o-4', 40)").then(
            () => true,
            () => false,
          ),
        { timeoutMs: 5000, intervalMs: 50 },
      );
      console.log(
        `db-read-only live: writes refused (${code(err)}) within ${ms} ms of the inject; reads worked; writes back after undo`,
      );
    } finally {
      if (!undone) await undo.undo();
    }
  }, 30_000);
});
