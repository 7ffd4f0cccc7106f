import { z } from 'zod';
import { flagFault } from '../support/flag-fault.js';

const params = z.strictObject({
  fraction: z.number().gt(0).max(1).meta({ description: 'Share of requests that fail' }),
  status: z
    .number()
    .int()
    .min(500)
    .max(599)
    .default(500)
    .meta({ description: 'HTTP status of the failures' }),
  route: z.string().optional().meta({ description: 'Only requests to this route template' }),
});

export const appErrorRate = flagFault({
  id: 'app-error-rate',
  description: 'The target service fails a share of its requests with a 5xx status.',
  params,
  setting: 'errors',
  value: (p) => ({ fraction: p.fraction, status: p.status, ...(p.route ? { route: p.route } : {}) }),
  expectedAlerts: () => ['ShopHighErrorRate'],
});
