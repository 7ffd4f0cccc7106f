import { TimeoutError } from '../../errors/timeout-error.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import {
  heldStatement,
  HOLDER_STATE,
  HolderPostgres,
  TERMINATE_HOLDER as TERMINATE,
} from '../testing/holder-postgres.js';
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

/** The statement the fault holds the lock with, its marker replaced by <marker>. */
const hold = (table: string, mode: string, seconds: number, app = 'psql', grant = 10): string =>
  heldStatement(`LOCK TABLE ${table} IN ${mode} MODE;`, seconds, app, grant);

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
    const postgres = new HolderPostgres();
    const target = { ...shopTarget(shop), postgres };
    const undo = await dbLockHeld.inject(contextFor(dbLockHeld, target, 'shop/Deployment/postgres'));
    expect(postgres.statements).toEqual([hold('ledger', 'SHARE', 900), HOLDER_STATE]);
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
    const postgres = new HolderPostgres();
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
    expect(postgres.statements[4]).toBe(HOLDER_STATE);
  });

  it('undo is content when the session already let go by itself (holdSeconds elapsed)', async () => {
    const postgres = new HolderPostgres();
    const target = { ...shopTarget(shop), postgres };
    const undo = await dbLockHeld.inject(contextFor(dbLockHeld, target, 'shop/Deployment/postgres'));
    postgres.holder?.end();
    postgres.holder = undefined;
    await undo.undo();
    expect(postgres.statements.slice(2)).toEqual([TERMINATE]);
    expect(postgres.terminations).toBe(0);
  });

  it('gives up when the lock is not granted in time, naming who holds a conflicting one, and ends its session', async () => {
    const postgres = new HolderPostgres();
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
    const postgres = new HolderPostgres();
    postgres.failHold = Object.assign(new Error('relation "ledger" does not exist'), { code: '42P01' });
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(dbLockHeld, contextFor(dbLockHeld, target, 'shop/Deployment/postgres'));
    expect(err.message).toBe(
      `table ledger does not exist in the shop's database (has the db-migrate Job run?): relation "ledger" does not exist`,
    );
    expect(postgres.statements).toEqual([hold('ledger', 'SHARE', 900), HOLDER_STATE, TERMINATE]);
  });

  it('when looking for the lock fails, ends the session before reporting the error', async () => {
    const postgres = new HolderPostgres({ failOn: /^SELECT a\.pid, \(a\.wait_event_type/ });
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(dbLockHeld, contextFor(dbLockHeld, target, 'shop/Deployment/postgres'));
    expect(err.message).toBe('Connection terminated unexpectedly');
    expect(postgres.statements.at(-1)).toBe(TERMINATE);
    expect(postgres.holder).toBeUndefined();
  });

  it('stops waiting when the run is interrupted, and ends its session', async () => {
    const postgres = new HolderPostgres();
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
