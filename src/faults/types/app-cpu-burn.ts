import { z } from 'zod';
import { flagFault } from '../support/flag-fault.js';

const params = z.strictObject({
  fraction: z.number().gt(0).max(1).meta({ description: 'Share of one core the service keeps busy' }),
});

export const appCpuBurn = flagFault({
  id: 'app-cpu-burn',
  description:
    'The target service burns CPU continuously, pushing it towards its CPU limit and slowing requests.',
  params,
  setting: 'cpu',
  value: (p) => ({ fraction: p.fraction }),
  expectedAlerts: () => ['ShopContainerCPUNearLimit'],
});
