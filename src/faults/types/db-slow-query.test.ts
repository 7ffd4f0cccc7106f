import { PRODUCT_IDS } from '../../../apps/shop/src/data/products.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { TimeoutError } from '../../errors/timeout-error.js';
import type { PostgresAnswer } from '../testing/fake-target.js';
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
import { dbSlowQuery, PRODUCT_ID } from './db-slow-query.js';

const POSTGRES = { namespace: 'shop', kind: 'Deployment', name: 'postgres' };
const STOCKED = 'SELECT product_id FROM stock ORDER BY product_id';

/** The statement the fault holds the row locks with, its marker replaced by <marker>. */
const hold = (ids: string, seconds = 900, app = 'stock-recount', grant = 10): string =>
  heldStatement(
    `PERFORM 1 FROM stock WHERE product_id = ANY (ARRAY[${ids}]) ORDER BY product_id FOR UPDATE;`,
    seconds,
    app,
    grant,
  );

/** The shop's stock table, as db-migrate fills it. */
const stock: PostgresAnswer = (sql) => {
  if (sql !== STOCKED) throw new Error(`unexpected statement: ${sql}`);
  return [...PRODUCT_IDS].sort().map((product_id) => ({ product_id }));
};

describe('db-slow-query', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets the PostgreSQL Deployment on every substrate', () => {
    expect(dbSlowQuery.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(dbSlowQuery.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('by default locks two products for up to 15 minutes, as a stock recount job', () => {
    expect(dbSlowQuery.params.parse({})).toEqual({
      products: ['0PUK6V6EV0', '1YMWWN1N4O'],
      holdSeconds: 900,
      applicationName: 'stock-recount',
      grantSeconds: 10,
    });
    expect(
      dbSlowQuery.params.parse({
        products: ['OLJCESPC7Z'],
        holdSeconds: 60,
        applicationName: 'nightly_audit',
      }),
    ).toMatchObject({ products: ['OLJCESPC7Z'], holdSeconds: 60, applicationName: 'nightly_audit' });
  });

  it("accepts every product of the shop, and the defaults come first in inventory's lock order", () => {
    for (const id of PRODUCT_IDS) expect(id).toMatch(PRODUCT_ID);
    // inventory reserves an order's items sorted with localeCompare (apps/shop/src/services/inventory.ts)
    const lockOrder = [...PRODUCT_IDS].sort((a, b) => a.localeCompare(b));
    expect(dbSlowQuery.params.parse({}).products).toEqual(lockOrder.slice(0, 2));
    expect(paramProblems(dbSlowQuery, { products: PRODUCT_IDS.slice(0, 10) })).toEqual([]);
  });

  it.each([
    [{ products: [] }, /^products: Too small: expected array to have >=1 items$/],
    [{ products: PRODUCT_IDS.slice(0, 11) }, /^products: Too big: expected array to have <=10 items$/],
    [
      { products: ['oljcespc7z'] },
      /^products\.0: must be a product id of the shop: 10 capital letters or digits$/,
    ],
    [{ products: ["OLJCESPC7Z']); DROP TABLE stock; --"] }, /^products\.0: must be a product id/],
    [{ products: ['OLJCESPC7Z', 'OLJCESPC7Z'] }, /^products: must not name a product twice$/],
    [{ products: 'OLJCESPC7Z' }, /^products: Invalid input: expected array, received string$/],
    [{ holdSeconds: 3601 }, /^holdSeconds: Too big: expected number to be <=3600$/],
    [
      { applicationName: "stock-recount', false); DROP TABLE stock; --" },
      /^applicationName: must be 1-32 letters, digits, _ \. or -$/,
    ],
    [{ grantSeconds: 0 }, /^grantSeconds: Too small: expected number to be >=1$/],
  ])('refuses params %j naming the problem', (params, problem) => {
    const problems = paramProblems(dbSlowQuery, params);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('names the PostgreSQL Deployment and expects failed statements and failed orders', () => {
    const p = dbSlowQuery.params.parse({});
    expect(dbSlowQuery.groundTruth(POSTGRES, p)).toEqual(['shop/Deployment/postgres']);
    expect(dbSlowQuery.expectedAlerts(POSTGRES, p)).toEqual(['ShopDatabaseErrors', 'ShopHighErrorRate']);
  });

  it('checks the products are stocked, locks their rows, returns once the session holds them, and undo ends it', async () => {
    const postgres = new HolderPostgres({ answer: stock });
    const target = { ...shopTarget(shop), postgres };
    const undo = await dbSlowQuery.inject(contextFor(dbSlowQuery, target, 'shop/Deployment/postgres'));
    expect(postgres.statements).toEqual([STOCKED, hold("'0PUK6V6EV0', '1YMWWN1N4O'"), HOLDER_STATE]);
    expect(postgres.holder).toBeDefined();
    expect(undo.description).toBe(
      'end the session holding the row locks on stock of products 0PUK6V6EV0, 1YMWWN1N4O',
    );

    await undo.undo();
    expect(postgres.statements.slice(3)).toEqual([TERMINATE]);
    expect(postgres.holder).toBeUndefined();
    expect(postgres.terminations).toBe(1);
    // A second undo (recovery after a duration's undo) finds nothing left to end.
    await undo.undo();
    expect(postgres.terminations).toBe(1);
    expect(target.objects.calls).toEqual([]);
  });

  it('writes the named products, session name and times into the statement', async () => {
    const postgres = new HolderPostgres({ answer: stock });
    const target = { ...shopTarget(shop), postgres };
    const undo = await dbSlowQuery.inject(
      contextFor(dbSlowQuery, target, 'shop/Deployment/postgres', {
        products: ['R3PW8ZC1LA', 'BX1GQ3HZ8K', 'K7TN2MQ4VD'],
        holdSeconds: 120,
        applicationName: 'nightly_audit',
        grantSeconds: 5,
      }),
    );
    await undo.undo();
    expect(postgres.statements[1]).toBe(
      hold("'R3PW8ZC1LA', 'BX1GQ3HZ8K', 'K7TN2MQ4VD'", 120, 'nightly_audit', 5),
    );
  });

  it('refuses products the stock table does not have, naming those it has, and starts no session', async () => {
    const postgres = new HolderPostgres({ answer: stock });
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(
      dbSlowQuery,
      contextFor(dbSlowQuery, target, 'shop/Deployment/postgres', {
        products: ['OLJCESPC7Z', 'AAAAAAAAAA', 'ZZZZZZZZZ9'],
      }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      `params.products: the shop's stock table has no product AAAAAAAAAA, ZZZZZZZZZ9; its products: ${[...PRODUCT_IDS].sort().join(', ')}`,
    );
    expect(postgres.statements).toEqual([STOCKED]);
  });

  it('reports a stock table that does not exist (the schema not migrated), starting no session', async () => {
    const postgres = new HolderPostgres({
      answer: () => {
        throw Object.assign(new Error('relation "stock" does not exist'), { code: '42P01' });
      },
    });
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(dbSlowQuery, contextFor(dbSlowQuery, target, 'shop/Deployment/postgres'));
    expect(err.message).toBe(
      `table stock does not exist in the shop's database (has the db-migrate Job run?): relation "stock" does not exist`,
    );
    expect(postgres.statements).toEqual([STOCKED]);
  });

  it('gives up when a row stays locked by another session, naming it, and ends its own session', async () => {
    const postgres = new HolderPostgres({ answer: stock });
    postgres.blockedBy = '777 shop/inventory';
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(
      dbSlowQuery,
      contextFor(dbSlowQuery, target, 'shop/Deployment/postgres', { grantSeconds: 1 }),
    );
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe(
      'timed out after 1000 ms waiting for the row locks on stock of products 0PUK6V6EV0, 1YMWWN1N4O to be granted; still waiting for: session(s) holding a conflicting lock: 777 shop/inventory',
    );
    expect(postgres.statements.at(-1)).toBe(TERMINATE);
    expect(postgres.holder).toBeUndefined();
  });

  it("reports the server's lock timeout as not granted, naming the session it waited behind", async () => {
    const postgres = new HolderPostgres({ answer: stock });
    postgres.blockedBy = '777 shop/inventory';
    const target = { ...shopTarget(shop), postgres };
    // lock_timeout (grantSeconds) runs out on the server before the inject's own deadline.
    setTimeout(
      () =>
        postgres.holder?.end(
          Object.assign(new Error('canceling statement due to lock timeout'), { code: '55P03' }),
        ),
      250,
    );
    const started = Date.now();
    const err = await injectError(dbSlowQuery, contextFor(dbSlowQuery, target, 'shop/Deployment/postgres'));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe(
      'timed out after 10000 ms waiting for the row locks on stock of products 0PUK6V6EV0, 1YMWWN1N4O to be granted; still waiting for: session(s) holding a conflicting lock: 777 shop/inventory',
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect(postgres.statements.at(-1)).toBe(TERMINATE);
  });

  it('reports the session failing before it held the rows, after ending it', async () => {
    const postgres = new HolderPostgres({ answer: stock });
    postgres.failHold = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    const target = { ...shopTarget(shop), postgres };
    const err = await injectError(dbSlowQuery, contextFor(dbSlowQuery, target, 'shop/Deployment/postgres'));
    expect(err.message).toBe(
      'the session meant to hold the row locks on stock of products 0PUK6V6EV0, 1YMWWN1N4O ended before it was granted: terminating connection due to administrator command',
    );
    expect(postgres.statements.at(-1)).toBe(TERMINATE);
  });

  itRefusesMissingTarget(dbSlowQuery, () => shop, 'shop/Deployment/pg', { untouched: 'postgres' });

  it('refuses a Deployment that does not run PostgreSQL', async () => {
    const target = shopTarget(shop);
    const err = await injectError(dbSlowQuery, contextFor(dbSlowQuery, target, 'shop/Deployment/inventory'));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(/^shop\/Deployment\/inventory does not run PostgreSQL/);
    expect(target.postgres.calls).toEqual([]);
  });
});
