import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';
import { PoisonMessageError } from '../runtime/stream-message.js';
import { orderConsumerService } from './order-consumer.js';

/**
 * Fulfils placed orders (consumer group `fulfillment` on the order stream): reads the order's reserved
 * items, and marks the order fulfilled. An order stays `placed` until this has run, so a stalled consumer
 * shows as orders that never complete while checkout itself is healthy.
 */
export function fulfillmentService(ctx: ServiceContext): ServiceParts {
  const fulfilled = ctx.metrics.counter('fulfillment_orders_total', 'Orders handled, by outcome.', [
    'service',
    'outcome',
  ]);
  return orderConsumerService(ctx, 'fulfillment', async (order, db, msg) => {
    const lines = await db.query<{ product_id: string; quantity: number }>(
      { name: 'SELECT', collection: 'reservations' },
      'SELECT product_id, quantity FROM reservations WHERE order_id = $1',
      [order.orderId],
    );
    if (lines.length === 0)
      throw new PoisonMessageError(`message ${msg.id}: order ${order.orderId} has no reserved items`);
    const updated = await db.query(
      { name: 'UPDATE', collection: 'orders' },
      `UPDATE orders SET status = 'fulfilled', fulfilled_at = now()
 WHERE id = $1 AND status = 'placed' RETURNING id`,
      [order.orderId],
    );
    fulfilled.inc({ service: ctx.config.service, outcome: updated.length > 0 ? 'fulfilled' : 'already' });
  });
}
