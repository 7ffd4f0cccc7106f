import { z } from 'zod';
import { directionParam, correlationParam, linkFault, linkParams } from '../support/chaos-fault.js';

const params = z.strictObject({
  ...linkParams,
  direction: directionParam('to'),
  latencyMs: z.number().int().min(1).max(60_000).meta({ description: 'Delay added to each packet, ms' }),
  jitterMs: z
    .number()
    .int()
    .min(0)
    .max(60_000)
    .default(0)
    .meta({ description: 'Spread of the delay, ms: uniform in latency ± jitter' }),
  correlation: correlationParam,
});

export const networkDelay = linkFault({
  id: 'network-delay',
  description: 'The link from one workload to the target is slow: a delay (with jitter) on its packets.',
  params,
  action: 'delay',
  settings: (p) => ({ delay: { latencyMs: p.latencyMs, jitterMs: p.jitterMs, correlation: p.correlation } }),
  // The caller waits: its own server latency rises, while the target's server spans stay fast.
  expectedAlerts: () => ['ShopHighLatencyP95'],
});
