import { z } from 'zod';
import { REDIS_SERVICE } from '../../platform/app-namespaces.js';
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
  expectedAlerts: (target) =>
    target.name === REDIS_SERVICE ? ['ShopRedisCommandErrors'] : ['ShopDependencyErrors'],
  bothEnds: true,
});
