import { DependencyError } from '../runtime/dependency-error.js';
import { HttpError } from '../runtime/http-error.js';
import { shopPostgres } from '../runtime/postgres-client.js';
import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';

export interface StockLevel {
  productId: string;
  available: number;
}

export interface ReservationRequest {
  orderId: string;
  items: { productId: string; quantity: number }[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parseReservation(body: unknown): ReservationRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.orderId !== 'string' || !UUID.test(b.orderId))
    throw new HttpError(400, 'orderId must be a uuid');
  if (!Array.isArray(b.items) || b.items.length === 0)
    throw new HttpError(400, 'items must be a non-empty list');
  const items = b.items.map((raw: unknown, i) => {
    const it = (raw ?? {}) as Record<string, unknown>;
    if (typeof it.productId !== 'string' || it.productId === '')
      throw new HttpError(400, `items[${i}].productId is required`);
    if (typeof it.quantity !== 'number' || !Number.isInteger(it.quantity) || it.quantity < 1)
      throw new HttpError(400, `items[${i}].quantity must be a positive integer`);
    return { productId: it.productId, quantity: it.quantity };
  });
  // one lock order for every transaction: two orders for the same products can never deadlock
  items.sort((a, b) => a.productId.localeCompare(b.productId));
  return { orderId: b.orderId, items };
}

/**
 * Stock levels and reservations in PostgreSQL. Checkout reserves an order's items before charging (one
 * transaction: decrement each product's stock, record the reservation), and catalog reads a product's
 * stock for its listing. Everything goes through one bounded pool (`db.poolMax`), so a slow statement or a
 * lock held elsewhere queues the requests behind it.
 */
export function inventoryService(ctx: ServiceContext): ServiceParts {
  const { config } = ctx;
  const db = shopPostgres(ctx);
  const reservations = ctx.metrics.counter(
    'inventory_reservations_total',
    'Reservation requests, by outcome (reserved, out_of_stock, over_limit, duplicate, failed).',
    ['service', 'outcome'],
  );

  return {
    routes(server) {
      server.route('GET', '/stock/:productId', async (req) => {
        const rows = await db.query<{ available: number }>(
          { name: 'SELECT', collection: 'stock' },
          'SELECT available FROM stock WHERE product_id = $1',
          [req.params.productId],
        );
        if (rows.length === 0) throw new HttpError(404, `product ${req.params.productId} not found`);
        return {
          body: { productId: req.params.productId, available: rows[0].available } satisfies StockLevel,
        };
      });

      server.route('POST', '/reservations', async (req) => {
        const r = parseReservation(req.body);
        // A business rule, not a failure: the shop says no to a bulk order (422), as it does to no stock.
        const units = r.items.reduce((n, i) => n + i.quantity, 0);
        const limit = config.inventory.maxUnitsPerOrder;
        if (units > limit) {
          reservations.inc({ service: config.service, outcome: 'over_limit' });
          req.log.warn(
            { order_id: r.orderId, units, max_units_per_order: limit },
            `reservation refused: order ${r.orderId} asks for ${units} units, over the limit of ${limit} units per order`,
          );
          throw new HttpError(422, `order of ${units} units exceeds the limit of ${limit} units per order`);
        }
        try {
          await db.transaction(async (tx) => {
            for (const item of r.items) {
              const updated = await tx.query<{ available: number }>(
                { name: 'UPDATE', collection: 'stock' },
                `UPDATE stock SET available = available - $2, updated_at = now()
 WHERE product_id = $1 AND available >= $2 RETURNING available`,
                [item.productId, item.quantity],
              );
              if (updated.length === 0) {
                reservations.inc({ service: config.service, outcome: 'out_of_stock' });
                throw new HttpError(409, `not enough stock of ${item.productId} for ${item.quantity}`);
              }
              await tx.query(
                { name: 'INSERT', collection: 'reservations' },
                'INSERT INTO reservations (order_id, product_id, quantity) VALUES ($1, $2, $3)',
                [r.orderId, item.productId, item.quantity],
              );
            }
          });
        } catch (err) {
          // a retried request whose first attempt got through: the order is already reserved
          if (err instanceof DependencyError && err.code === 'unique_violation') {
            reservations.inc({ service: config.service, outcome: 'duplicate' });
            return { status: 200, body: { orderId: r.orderId, items: r.items.length } };
          }
          if (!(err instanceof HttpError)) reservations.inc({ service: config.service, outcome: 'failed' });
          throw err;
        }
        reservations.inc({ service: config.service, outcome: 'reserved' });
        return { status: 201, body: { orderId: r.orderId, items: r.items.length } };
      });

      // an order that failed after its reservation (payment declined, say) gives its stock back
      server.route('DELETE', '/reservations/:orderId', async (req) => {
        const orderId = req.params.orderId;
        if (!UUID.test(orderId)) throw new HttpError(400, 'orderId must be a uuid');
        const released = await db.transaction(async (tx) => {
          const rows = await tx.query<{ product_id: string; quantity: number }>(
            { name: 'DELETE', collection: 'reservations' },
            'DELETE FROM reservations WHERE order_id = $1 RETURNING product_id, quantity',
            [orderId],
          );
          await tx.query(
            { name: 'UPDATE', collection: 'stock' },
            `UPDATE stock SET available = available + r.quantity, updated_at = now()
 FROM (SELECT unnest($1::text[]) AS product_id, unnest($2::int[]) AS quantity) AS r
 WHERE stock.product_id = r.product_id`,
            [rows.map((x) => x.product_id), rows.map((x) => x.quantity)],
          );
          return rows.length;
        });
        return { body: { orderId, released } };
      });
    },
    // schema present and a connection available: until db-migrate has run, inventory is not ready
    readiness: { postgres: () => db.ping('SELECT 1 FROM stock LIMIT 1') },
    close: () => db.close(),
  };
}
