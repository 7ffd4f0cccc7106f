import { randomUUID } from 'node:crypto';
import { HttpError } from '../runtime/http-error.js';
import { shopPostgres } from '../runtime/postgres-client.js';
import { shopRedis } from '../runtime/redis-client.js';
import { StreamProducer } from '../runtime/stream-producer.js';
import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';
import type { Cart } from './cart.js';

interface Quote {
  costUsd: number;
  etaDays: number;
}
interface Conversion {
  converted: number;
}
interface Charge {
  transactionId: string;
}
interface Shipment {
  trackingId: string;
}

/**
 * Places an order: reads the cart, quotes shipping, converts the total into the shopper's currency, reserves
 * the items with inventory, charges the payment service (a POST that is never retried after a timeout: double
 * charges are worse than a failed order), records the order in PostgreSQL, books the shipment, announces the
 * order on the order stream and empties the cart. An order that fails after its reservation gives the stock
 * back (best effort: a release that fails is logged, as a real shop would leave it to reconciliation).
 */
export function checkoutService(ctx: ServiceContext): ServiceParts {
  const { config, metrics } = ctx;
  const cart = ctx.client('cart');
  const payment = ctx.client('payment');
  const shipping = ctx.client('shipping');
  const currency = ctx.client('currency');
  const inventory = ctx.client('inventory');
  const db = shopPostgres(ctx);
  const redis = shopRedis(ctx);
  const events = new StreamProducer({
    redis,
    stream: config.orderStream,
    service: config.service,
    tracer: ctx.tracer,
    metrics,
  });
  const orders = metrics.counter('checkout_orders_total', 'Orders placed, by outcome.', [
    'service',
    'outcome',
  ]);
  // Every outcome's series from the start: rate() cannot see the first increment of a series that appears.
  for (const outcome of ['placed', 'rejected', 'failed']) orders.inc({ service: config.service, outcome }, 0);

  return {
    routes(server) {
      server.route('POST', '/orders', async (req) => {
        const b = (req.body ?? {}) as Record<string, unknown>;
        if (typeof b.userId !== 'string' || b.userId === '') throw new HttpError(400, 'userId is required');
        const cur = typeof b.currency === 'string' ? b.currency.toUpperCase() : 'USD';
        const userId = b.userId;
        const orderId = randomUUID();
        let reserved = false;
        let charged = false;
        try {
          const c = await cart.get<Cart>(`/carts/${encodeURIComponent(userId)}`, '/carts/:userId');
          if (c.items.length === 0) throw new HttpError(400, 'cart is empty');
          const items = c.items.reduce((n, i) => n + i.quantity, 0);
          const quote = await shipping.get<Quote>(`/quote?items=${items}`, '/quote');
          const totalUsd = Math.round((c.totalUsd + quote.costUsd) * 100) / 100;
          const amount =
            cur === 'USD'
              ? totalUsd
              : (
                  await currency.get<Conversion>(
                    `/convert?from=USD&to=${encodeURIComponent(cur)}&amount=${totalUsd}`,
                    '/convert',
                  )
                ).converted;
          await inventory.post('/reservations', '/reservations', {
            orderId,
            items: c.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
          });
          reserved = true;
          const charge = await payment.post<Charge>('/charge', '/charge', {
            orderId,
            userId,
            amountUsd: totalUsd,
          });
          charged = true;
          await db.query(
            { name: 'INSERT', collection: 'orders' },
            `INSERT INTO orders (id, user_id, total_usd, currency, items, status)
 VALUES ($1, $2, $3, $4, $5, 'placed')`,
            [orderId, userId, totalUsd, cur, items],
          );
          const shipment = await shipping.post<Shipment>('/shipments', '/shipments', {
            orderId,
            userId,
            items,
          });
          // The order is committed and paid: a lost announcement is for reconciliation, not a failed order.
          await events
            .publish(
              'order.placed',
              config.orderEventFormat === 'v2'
                ? { order: JSON.stringify({ id: orderId, user: userId, items }), amount: `${totalUsd} USD` }
                : { orderId, userId, totalUsd, items },
            )
            .catch((e: unknown) =>
              req.log.error(
                { order_id: orderId, err_code: (e as { code?: string }).code },
                `order ${orderId} placed but not published to ${events.stream}: ${(e as Error).message}`,
              ),
            );
          await cart.delete(`/carts/${encodeURIComponent(userId)}`, '/carts/:userId');
          orders.inc({ service: config.service, outcome: 'placed' });
          req.log.info({ order_id: orderId, total_usd: totalUsd, currency: cur, items }, 'order placed');
          return {
            status: 201,
            body: {
              orderId,
              items,
              totalUsd,
              total: { currency: cur, amount },
              shippingUsd: quote.costUsd,
              transactionId: charge.transactionId,
              trackingId: shipment.trackingId,
            },
          };
        } catch (err) {
          // A 4xx (an empty cart, a declined charge, no stock) is the shop saying no, not failing: it never
          // counts as an error, so only this outcome shows a refusal that happens to every shopper.
          const refused = err instanceof HttpError && err.status < 500;
          orders.inc({ service: config.service, outcome: refused ? 'rejected' : 'failed' });
          // once charged, the stock stays reserved: the order exists for the shopper and is settled by hand
          if (reserved && !charged)
            await inventory
              .delete(`/reservations/${orderId}`, '/reservations/:orderId')
              .catch((e: unknown) =>
                req.log.warn(
                  { order_id: orderId, err_code: (e as { code?: string }).code },
                  `could not release the reservation of order ${orderId}: ${(e as Error).message}`,
                ),
              );
          throw err;
        }
      });
    },
    readiness: {
      cart: () => cart.probe(),
      payment: () => payment.probe(),
      shipping: () => shipping.probe(),
      currency: () => currency.probe(),
      inventory: () => inventory.probe(),
    },
    close: async () => {
      await Promise.all([db.close(), redis.close()]);
    },
  };
}
