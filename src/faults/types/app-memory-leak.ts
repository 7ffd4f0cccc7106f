import { z } from 'zod';
import { flagFault } from '../support/flag-fault.js';

const params = z.strictObject({
  mbPerMinute: z.number().gt(0).max(2048).meta({ description: 'Memory retained per minute, MB' }),
});

export const appMemoryLeak = flagFault({
  id: 'app-memory-leak',
  description: 'The target service retains memory steadily until its memory limit kills it (OOMKilled).',
  params,
  setting: 'retention',
  value: (p) => ({ mbPerMinute: p.mbPerMinute }),
  expectedAlerts: () => ['ShopContainerMemoryNearLimit'],
  replacePodsOnUndo: true,
});
