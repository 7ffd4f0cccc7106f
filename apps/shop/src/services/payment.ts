import { randomUUID } from 'node:crypto';
import { HttpError } from '../runtime/http-error.js';
import type { ServiceContext, ServiceParts } from '../runtime/service-context.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface ChargeRequest {
  orderId: string;
  userId: string;
  amountUsd: number;
}

function parseCharge(body: unknown): ChargeRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  if (
    typeof b.orderId !== 'string' ||
    typeof b.userId !== 'string' ||
    typeof b.amountUsd !== 'number' ||
    !(b.amountUsd >= 0)
  ) {
    throw new HttpError(400, 'orderId, userId and a non-negative amountUsd are required');
  }
  return { orderId: b.orderId, userId: b.userId, amountUsd: b.amountUsd };
}

/** Authorizes charges against a simulated card provider with a per-charge limit (providerLimitUsd). */
export function paymentService(ctx: ServiceContext): ServiceParts {
  const { config, metrics } = ctx;
  const charges = metrics.counter(
    'payment_charges_total',
    'Charge attempts, by result (authorized, declined).',
    ['service', 'result'],
  );
  return {
    routes(server) {
      server.route('POST', '/charge', async (req) => {
        const charge = parseCharge(req.body);
        await sleep(config.payment.providerLatencyMs);
        if (charge.amountUsd > config.payment.providerLimitUsd) {
          charges.inc({ service: config.service, result: 'declined' });
          req.log.warn(
            {
              order_id: charge.orderId,
              amount_usd: charge.amountUsd,
              limit_usd: config.payment.providerLimitUsd,
            },
            `payment declined by provider: ${charge.amountUsd.toFixed(2)} USD exceeds the per-charge limit of ${config.payment.providerLimitUsd.toFixed(2)} USD`,
          );
          throw new HttpError(402, 'payment declined: amount exceeds provider limit');
        }
        charges.inc({ service: config.service, result: 'authorized' });
        return {
          body: {
            transactionId: `txn_${randomUUID()}`,
            orderId: charge.orderId,
            amountUsd: charge.amountUsd,
          },
        };
      });
    },
  };
}
