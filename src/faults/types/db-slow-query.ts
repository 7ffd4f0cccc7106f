import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { FaultType } from '../fault-type.js';
import { missingTableError, postgresAdminOf, quoteLiteral } from '../support/postgres.js';
import { holderParams, holdLocks } from '../support/postgres-holder.js';
import { requirePostgresDeployment } from '../support/workloads.js';

/** How the shop's product ids are spelled (apps/shop/src/data/products.ts): ten capital letters or digits. */
export const PRODUCT_ID = /^[A-Z0-9]{10}$/;

/**
 * Candle Holder and Watch: the load buys every product alike, and these two come first in inventory's lock
 * order (it updates an order's items sorted by id), so an order that needs one waits holding no other row
 * and the orders for the other ten products go through.
 */
const DEFAULT_PRODUCTS = ['0PUK6V6EV0', '1YMWWN1N4O'];

const params = z.strictObject({
  products: z
    .array(z.string().regex(PRODUCT_ID, 'must be a product id of the shop: 10 capital letters or digits'))
    .min(1)
    .max(10)
    .refine((ids) => new Set(ids).size === ids.length, 'must not name a product twice')
    .default(DEFAULT_PRODUCTS)
    .meta({
      description:
        "The products whose stock rows the session locks (FOR UPDATE): reservations of these wait, the others' go through",
    }),
  ...holderParams({ what: 'the row locks', applicationName: 'stock-recount' }),
});
type Params = z.output<typeof params>;

/**
 * A batch job's long transaction holds row locks on a few products' stock (`SELECT … FOR UPDATE`, then
 * work that takes minutes): only the reservations of those products queue behind it, until inventory's
 * statement timeout cancels them. Orders for every other product go through, so the errors look partial
 * and product-specific, which is harder to trace to the database than a table lock.
 */
export const dbSlowQuery: FaultType<Params> = {
  id: 'db-slow-query',
  description:
    "A batch job's long transaction holds row locks on a few products' stock: reservations of those products wait and time out, other orders go through.",
  params,
  needs: ['objects', 'postgres-admin'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  // With the default pair, about 3 orders in 10 (1-3 items each, drawn from 12 products) need a locked row.
  // Each fails one of inventory's statements: about 1 in 17 of them, just over ShopDatabaseErrors' 5 %
  // (docs/faults.md). Inventory answers those orders 503, and checkout's only route places orders, so its
  // 5xx share is far over ShopHighErrorRate's 5 %.
  expectedAlerts: () => ['ShopDatabaseErrors', 'ShopHighErrorRate'],
  async inject(ctx) {
    await requirePostgresDeployment(ctx.target.objects, ctx.entity);
    const pg = postgresAdminOf(ctx.target);
    const p = ctx.params;
    const rows = await pg.query('SELECT product_id FROM stock ORDER BY product_id').catch((err: unknown) => {
      throw missingTableError('stock', err) ?? err;
    });
    const stocked = rows.map((r) => String(r.product_id));
    const unknown = p.products.filter((id) => !stocked.includes(id));
    if (unknown.length > 0) {
      throw new InvalidInputError(
        `params.products: the shop's stock table has no product ${unknown.join(', ')}; its products: ${stocked.join(', ') || 'none'}`,
      );
    }
    const ids = p.products.map(quoteLiteral).join(', ');
    return holdLocks(ctx, p, {
      what: `the row locks on stock of products ${p.products.join(', ')}`,
      // The ids match PRODUCT_ID and are quoted besides. In id order, as inventory takes them, so the two
      // cannot deadlock.
      take: `PERFORM 1 FROM stock WHERE product_id = ANY (ARRAY[${ids}]) ORDER BY product_id FOR UPDATE;`,
      explain: (err) => missingTableError('stock', err),
      logFields: { products: p.products },
    });
  },
};
