import { z } from 'zod';
import { flagFault } from '../support/flag-fault.js';

const params = z.strictObject({
  delayMs: z
    .number()
    .int()
    .min(1)
    .max(60_000)
    .meta({ description: 'Delay added to each affected request, ms' }),
  probability: z.number().min(0).max(1).default(1).meta({ description: 'Share of requests delayed' }),
  route: z.string().optional().meta({ description: 'Only requests to this route template (e.g. /charge)' }),
});

export const appLatency = flagFault({
  id: 'app-latency',
  description: 'The target service answers slowly: a fixed delay on a share of its requests.',
  params,
  setting: 'latency',
  value: (p) => ({ ms: p.delayMs, probability: p.probability, ...(p.route ? { route: p.route } : {}) }),
  expectedAlerts: () => ['ShopHighLatencyP95'],
});
