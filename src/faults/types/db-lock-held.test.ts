import { TimeoutError } from '../../errors/timeout-error.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { RecordingPostgres } from '../testing/fake-target.js';
import {
  contextFor,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { substratesProviding } from '../../substrates/registry.js';
import { dbLockHeld } from './db-lock-held.js';

const POSTGRES = { namespace: 'shop', kind: 'Deployment', name: 'postgres' };

/** The statement the fault holds the lock with, its marker (16 hex digits) replaced by <marker>. */
const hold = (table: string, mode: string, seconds: number, app = 'psql', grant = 10): string =>
  `DO $$ BEGIN /* <marker> */ PERFORM set_config('application_name', '${app}', false); PERFORM set_config('log_min_error_statement', 'panic', false); PERFORM set_config('log_min_duration_statement', '-1', false); PERFORM set_config('log_error_verbosity', 'terse', false); PERFORM set_config('lock_timeout', '${grant}s', false); LOCK TABLE ${table} IN ${mode} MODE; PERFORM pg_sleep(${seconds}); END $$`;

const terminated = (): Error =>
  Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

/**
 * One PostgreSQL backend at a time holding (or waiting for) a table lock: the DO statement stays pending
 * until it is terminated, fails at once when `failHold` is set, and is granted unless `blockedBy` names the
 * session holding a conflicting lock. `failOn` makes matching statements fail.
 */
class LockServer extends RecordingPostgres {
  holder: { marker: string; table: string; mode: string; end: (err?: Error) => void } | undefined;
  blockedBy: string | undefined;
  failHold: Error | undefined;
  terminations = 0;

  constructor(private readonly failOn?: RegExp) {
    super();
    this.answer = (sql, params) => {
      if (this.failOn?.test(sql)) throw new Error('Connection terminated unexpectedly');
      if (sql.startsWith('DO $$')) {
        if (this.failHold) throw this.failHold;
        const [, marker = '', table = '', mode = ''] =
          /\/\* ([0-9a-f]+) \*\/.*LOCK TABLE (\w+) IN ([A-Z ]+) MODE/.exec(sql) ?? [];
        return new Promise((resolve, reject) => {
          this.holder = { marker, table, mode, end: (err) => (err ? reject(err) : resolve([])) };
        });
      }
      if (sql.startsWith('SELECT a.pid, l.granted')) {
        const h = this.holder;
        const mode = {
          SHARE: 'ShareLock',
          EXCLUSIVE: 'ExclusiveLock',
          'ACCESS EXCLUSIVE': 'AccessExclusiveLock',
        }[h?.mode ?? ''];
        if (!h || params[0] !== h.marker || params[1] !== h.table || params[2] !== mode) return [];
        return [{ pid: 4321, granted: this.blockedBy === undefined, blockers: this.blockedBy ?? null }];
      }
      if (sql.startsWith('SELECT pid, pg_terminate_backend(pid)')) {
        const h = this.holder;
        if (!h || params[0] !== h.marker) return [];
        this.terminations++;
        this.holder = undefined;
        h.end(terminated());
        return [{ pid: 4321, ended: true }];
      }
      throw new Error(`unexpected statement: ${sql}`);
    };
  }

  /** The calls with the marker replaced, to compare with the expected statements. */
  get statements(): string[] {
    return this.calls.map((c) => c.replace(/[0-9a-f]{16}/g, '<marker>'));
  }
}

const LOCK_STATE = (table: string, mode: string): string =>
  `SELECT a.pid, l.granted, (SELECT string_agg(b.pid || ' ' || coalesce(b.usename, '?') || '/' || coalesce(b.application_name, ''), ', ') FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid))) AS blockers FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid WHERE a.query LIKE '%' || $1 || '%' AND a.pid <> pg_backend_pid() AND l.locktype = 'relation' AND l.relation = to_regclass($2) AND l.mode = $3 ["<marker>","${table}","${mode}"]`;
const TERMINATE =
  "SELECT pid, pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE query LIKE '%' || $1 || '%' AND pid <> pg_backend_pid() [\"<marker>\"]";

describe('db-lock-held', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets the PostgreSQL Deployment on every substrate', () => {
    expect(dbLockHeld.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(dbLockHeld.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('by default holds a SHARE lock on ledger for up to 15 minutes, as psql', () => {
    expect(dbLockHeld.params.parse({})).toEqual({
      table: 'ledger',
      mode: 'SHARE',
      holdSeconds: 900,
      applicationName: 'psql',
      grantSeconds: 10,
    });
    expect(
      dbLockHeld.params.parse({
        table: 'stock',
        mode: 'ACCESS EXCLUSIVE',
        holdSeconds: 60,
        applicationName: 'pgAdmin_4',
      }),
    ).toMatchObject({
      table: 'stock',
      mode: 'ACCESS EXCLUSIVE',
      holdSeconds: 60,
      applicationName: 'pgAdmin_4',
    });
  });

  it.each([
    [
      { table: 'pg_authid' },
      /^table: Invalid option: expected one of "stock"\|"orders"\|"reservations"\|"ledger"$/,
    ],
    [{ table: 'ledger; DROP TABLE orders' }, /^table: Invalid option/],
    [
      { mode: 'ROW EXCLUSIVE' },
      /^mode: Invalid option: expected one of "SHARE"\|"EXCLUSIVE"\|"ACCESS EXCLUSIVE"$/,
    ],
    [{ holdSeconds: 3601 }, /^holdSeconds: Too big: expected number to be <=3600$/],
    [{ holdSeconds: 0 }, /^holdSeconds: Too small: expected number to be >=1$/],
    [
      { applicationName: "psql', false); DROP TABLE ledger; --" },
      /^applicationName: must be 1-32 letters, digits, _ \. or -$/,
    ],
    [{ applicationName: '' }, /^applicationName: must be 1-32/],
    [{ grantSeconds: 61 }, /^grantSeconds: Too big: expected number to be <=60$/],
  ])('refuses params %j naming the problem', (params, problem) => {
    const problems = paramProblems(dbLockHeld, params);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('names the PostgreSQL Deployment; the alerts depend on whose table is locked', () => {
    const alerts = (table: string): string[] =>
      dbLockHeld.expectedAlerts(POSTGRES, dbLockHeld.params.parse({ table }));
    expect(dbLockHeld.groundTruth(POSTGRES, dbLockHeld.params.parse({}))).toEqual([
      'shop/Deployment/postgres',
    ]);
    expect(alerts('ledger')).toEqual([
      'ShopQueueBacklogAging',
      'ShopQueueConsumerErrors',
      'ShopDatabaseErrors',
    ]);
    for (const t of ['stock', 'reservations', 'orders']) {
      expect(alerts(t)).toEqual(['ShopDatabaseErrors', 'ShopHighErrorRate']);
    }
  });

  it('starts the holding statement, returns once the lock is granted, and undo terminates that session', async () => {
    const postgres = new LockServer();
    const target = { ...shopTarget(shop), postgres };
    const undo = await dbLockHeld.inject(contextFor(dbLockHeld, target, 'shop/Deployment/postgres'));
    expect(postgres.statements).toEqual([hold('ledger', 'SHARE', 900), LOCK_STATE('ledger', 'ShareLock')]);
    expect(postgres.holder).toBeDefined();
    expect(undo.description).toBe('end the session holding the SHARE lock on table ledger');

    await undo.undo();
    expect(postgres.statements.slice(2)).toEqual([TERMINATE]);
    expect(postgres.holder).toBeUndefined();
    expect(postgres.terminations).toBe(1);
    // A second undo (recovery after a duration's undo) finds nothing left to end.
    await undo.undo();
    expect(postgres.terminations).toBe(1);
    expect(target.objects.calls).toEqual([]);
  });

  it('marks each injection with its own marker', async () => {
    const postgres = new LockServer();
    const target = { ...shopTarget(shop), postgres };
    const first = await dbLockHeld.inject(contextFor(dbLockHeld, target, 'shop/Deployment/postgres'));
    await first.undo();
    const second = await dbLockHeld.inject(
      contextFor(dbLockHeld, target, 'shop/Deployment/postgres', {
        table: 'stock',
        mode: 'ACCESS EXCLUSIVE',
        holdSeconds: 120,
        applicationName: 'pgAdmin_4',
      }),
    );
    await second.undo();
    const markers = postgres.calls
      .filter((c) => c.startsWith('DO $$'))
      .map((c) => /\/\* ([0-9a-f]{16}) \*\//.exec(c)?.[1]);
    expect(markers).toHaveLength(2);
    expect(new Set(markers).size).toBe(2);
    expect(postgres.statements[3]).toBe(hold('stock', 'ACCESS EXCLUSIVE', 120, 'pgAdmin_4'));
    expect(postgres.statements[4]).toBe(LOCK_STATE('stock', 'AccessExclusiveLock'));
  });

  it('undo is content when the session already let go by itself (holdSeconds elapsed)', async () => {
    const postgres = new LockServer();
    const target = { ...shopTarget(shop), postgres };
    const undo = await dbLockHeld.inject(contextFor(dbLockHeld, target, 'shop/Deployment/postgres'));
    postgres.holder?.end();
    postgres.holder = undefined;
    await undo.undo();
    expect(postgres.statements.slice(2)).toEqual([TERMINATE]);
    expect(postgres.terminations).toBe(0);
  });

  it('gives up when the lock is not granted in time, naming who holds a conflicting one, and ends its session', async () => {
    const postgres = new LockServer();
    postgres.blockedBy = '777 shop/accounting';
    const target = { ...shopTarget(shop), postgres };
    const started = Date.now();
    const err = await injectError(
      dbLockHeld,
      contextFor(dbLockHeld, target, 'shop/Deployment/postgres', { grantSeconds: 1 }),
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe(
      'timed out after 1000 ms waiting for the SHARE lock on table ledger to be granted; still waiting for: session(s) holding a conflicting lock: 777 shop/accounting',
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(postgres.statements.at(-1)).toBe(TERMINATE);
    expect(postgres.holder).toBeUndefined();
  });

  it('reports a table that does not exist (the schema not migrated) at once', async () => {
    const postgres = new LockServer();
    postgres.failHold = Object.assign(new Error('relation "ledger" does not exist'), { code: '42P01' });
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(dbLockHeld, contextFor(dbLockHeld, target, 'shop/Deployment/postgres'));
    expect(err.message).toBe(
      `table ledger does not exist in the shop's database (has the db-migrate Job run?): relation "ledger" does not exist`,
    );
    expect(postgres.statements).toEqual([
      hold('ledger', 'SHARE', 900),
      LOCK_STATE('ledger', 'ShareLock'),
      TERMINATE,
    ]);
  });

  it('when looking for the lock fails, ends the session before reporting the error', async () => {
    const postgres = new LockServer(/^SELECT a\.pid, l\.granted/);
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(dbLockHeld, contextFor(dbLockHeld, target, 'shop/Deployment/postgres'));
    expect(err.message).toBe('Connection terminated unexpectedly');
    expect(postgres.statements.at(-1)).toBe(TERMINATE);
    expect(postgres.holder).toBeUndefined();
  });

  it('stops waiting when the run is interrupted, and ends its session', async () => {
    const postgres = new LockServer();
    postgres.blockedBy = '777 shop/accounting';
    const target = { ...shopTarget(shop), postgres };
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('interrupted')), 250);
    const err = await injectError(
      dbLockHeld,
      contextFor(dbLockHeld, target, 'shop/Deployment/postgres', {}, ac.signal),
    );
    expect(err.message).toBe('interrupted');
    expect(postgres.holder).toBeUndefined();
  });

  itRefusesMissingTarget(dbLockHeld, () => shop, 'shop/Deployment/pg', { untouched: 'postgres' });

  it('refuses a Deployment that does not run PostgreSQL', async () => {
    const target = shopTarget(shop);
    const err = await injectError(dbLockHeld, contextFor(dbLockHeld, target, 'shop/Deployment/accounting'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(/^shop\/Deployment\/accounting does not run PostgreSQL/);
    expect(target.postgres.calls).toEqual([]);
  });
});
