import { z } from 'zod';
import { failedCallAlerts } from '../support/unavailability-alerts.js';
import { directionParam, linkFault, linkParams } from '../support/chaos-fault.js';

const params = z.strictObject({
  ...linkParams,
  direction: directionParam('both'),
});

export const networkPartition = linkFault({
  id: 'network-partition',
  description:
    'The target and one workload cannot reach each other: their packets are dropped, one way or both.',
  params,
  action: 'partition',
  settings: () => ({}),
  // The caller's requests time out; readiness checks that probe the target fail as well.
  expectedAlerts: (target) => failedCallAlerts(target.name),
  bothEnds: true,
});
