import { randomBytes } from 'node:crypto';
import { HttpError } from '../runtime/http-error.js';
import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function itemCount(v: unknown): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 10_000) {
    throw new HttpError(400, 'items must be a positive integer');
  }
  return n;
}

/** Shipping quotes (base + per item) and shipment creation with a tracking id. */
export function shippingService(ctx: ServiceContext): ServiceParts {
  const { shipping } = ctx.config;
  return {
    routes(server) {
      server.route('GET', '/quote', async (req) => {
        const items = itemCount(req.query.get('items'));
        await sleep(shipping.quoteLatencyMs);
        const costUsd = Math.round((shipping.baseCostUsd + shipping.perItemUsd * items) * 100) / 100;
        return { body: { items, costUsd, etaDays: items > 5 ? 5 : 3 } };
      });
      server.route('POST', '/shipments', async (req) => {
        const b = (req.body ?? {}) as Record<string, unknown>;
        if (typeof b.orderId !== 'string') throw new HttpError(400, 'orderId is required');
        const items = itemCount(b.items);
        await sleep(shipping.quoteLatencyMs);
        const trackingId = `1Z${randomBytes(8).toString('hex').toUpperCase()}`;
        return { status: 201, body: { orderId: b.orderId, items, trackingId } };
      });
    },
  };
}
