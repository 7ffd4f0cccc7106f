import { shopPostgres, type InstrumentedPostgres } from '../runtime/postgres-client.js';
import { shopRedis } from '../runtime/redis-client.js';
import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';
import { StreamConsumer } from '../runtime/stream-consumer.js';
import { PoisonMessageError, type StreamMessage } from '../runtime/stream-message.js';

/** An `order.placed` event as checkout publishes it. */
export interface PlacedOrder {
  orderId: string;
  userId: string;
  totalUsd: number;
  items: number;
}

const ORDER_FIELDS = ['orderId', 'userId', 'totalUsd', 'items'] as const;

/** The event's payload, or PoisonMessageError when a field has the wrong type (the consumer's policy decides). */
export function placedOrder(msg: StreamMessage): PlacedOrder {
  const p = (msg.payload ?? {}) as Record<string, unknown>;
  if (typeof p.orderId !== 'string' || typeof p.userId !== 'string')
    throw new PoisonMessageError(`message ${msg.id}: orderId and userId must be strings`);
  const totalUsd = Number(p.totalUsd);
  const items = Number(p.items);
  if (!Number.isFinite(totalUsd) || !Number.isInteger(items))
    throw new PoisonMessageError(`message ${msg.id}: totalUsd and items must be numbers`);
  return { orderId: p.orderId, userId: p.userId, totalUsd, items };
}

/**
 * The skeleton both order-stream consumers share: a consumer group on the order stream (Redis), a pool
 * for their own tables (PostgreSQL), readiness on both, and `handle` for each placed order. The HTTP port
 * only serves health and metrics.
 */
export function orderConsumerService(
  ctx: ServiceContext,
  group: string,
  handle: (order: PlacedOrder, db: InstrumentedPostgres, msg: StreamMessage) => Promise<void>,
): ServiceParts {
  const { config, logger } = ctx;
  const redis = shopRedis(ctx);
  const db = shopPostgres(ctx);
  const consumer = new StreamConsumer({
    redis,
    stream: config.orderStream,
    group,
    consumer: config.podName,
    service: config.service,
    tracer: ctx.tracer,
    metrics: ctx.metrics,
    logger,
    requiredFields: ORDER_FIELDS,
    handler: async (msg) => handle(placedOrder(msg), db, msg),
    held: () => ctx.settings.current.consumer?.maxInFlight === 0,
    // a crash on a poison message: give the span batcher (1 s) time to export the failing span first
    exit: (code) => {
      setTimeout(() => process.exit(code), 1500);
    },
  });

  return {
    routes() {},
    readiness: { redis: () => redis.ping(), postgres: () => db.ping() },
    start() {
      consumer.start().catch((err: unknown) => {
        logger.fatal({ err }, `order consumer stopped: ${(err as Error).message}`);
        process.exit(1);
      });
    },
    async close() {
      await consumer.stop();
      await Promise.all([redis.close(), db.close()]);
    },
  };
}
