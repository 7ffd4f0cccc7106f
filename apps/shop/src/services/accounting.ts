import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';
import { orderConsumerService } from './order-consumer.js';

/**
 * Books every placed order into the ledger (consumer group `accounting` on the order stream). The insert is
 * idempotent, since a message can be delivered twice (a consumer that died before acking it).
 */
export function accountingService(ctx: ServiceContext): ServiceParts {
  const booked = ctx.metrics.counter('accounting_ledger_entries_total', 'Ledger entries written.', [
    'service',
  ]);
  return orderConsumerService(ctx, 'accounting', async (order, db) => {
    await db.query(
      { name: 'INSERT', collection: 'ledger' },
      `INSERT INTO ledger (order_id, user_id, amount_usd) VALUES ($1, $2, $3)
 ON CONFLICT (order_id) DO NOTHING`,
      [order.orderId, order.userId, order.totalUsd],
    );
    booked.inc({ service: ctx.config.service });
  });
}
