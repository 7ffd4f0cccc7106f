import { randomUUID } from 'node:crypto';
import { HttpError } from '../runtime/http-error.js';
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
 * Places an order: reads the cart, quotes shipping, converts the total into the shopper's currency, charges
 * the payment service (a POST that is never retried after a timeout: double charges are worse than a failed
 * order), books the shipment and empties the cart.
 */
export function checkoutService(ctx: ServiceContext): ServiceParts {
  const { config, metrics } = ctx;
  const cart = ctx.client('cart');
  const payment = ctx.client('payment');
  const shipping = ctx.client('shipping');
  const currency = ctx.client('currency');
  const orders = metrics.counter('checkout_orders_total', 'Orders placed, by outcome.', [
    'service',
    'outcome',
  ]);

  return {
    routes(server) {
      server.route('POST', '/orders', async (req) => {
        const b = (req.body ?? {}) as Record<string, unknown>;
        if (typeof b.userId !== 'string' || b.userId === '') throw new HttpError(400, 'userId is required');
        const cur = typeof b.currency === 'string' ? b.currency.toUpperCase() : 'USD';
        const userId = b.userId;
        const orderId = randomUUID();
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
          const charge = await payment.post<Charge>('/charge', '/charge', {
            orderId,
            userId,
            amountUsd: totalUsd,
          });
          const shipment = await shipping.post<Shipment>('/shipments', '/shipments', {
            orderId,
            userId,
            items,
          });
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
          orders.inc({ service: config.service, outcome: 'failed' });
          throw err;
        }
      });
    },
    readiness: {
      cart: () => cart.probe(),
      payment: () => payment.probe(),
      shipping: () => shipping.probe(),
      currency: () => currency.probe(),
    },
  };
}
