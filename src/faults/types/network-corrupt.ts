import { z } from 'zod';
import { REDIS_SERVICE } from '../../platform/app-namespaces.js';
import {
  correlationParam,
  directionParam,
  linkFault,
  linkParams,
  percentParam,
} from '../support/chaos-fault.js';

const params = z.strictObject({
  ...linkParams,
  direction: directionParam('to'),
  percent: percentParam('corrupted'),
  correlation: correlationParam,
});

export const networkCorrupt = linkFault({
  id: 'network-corrupt',
  description: 'The link from one workload to the target corrupts a share of its packets.',
  params,
  action: 'corrupt',
  settings: (p) => ({ corrupt: { percent: p.percent, correlation: p.correlation } }),
  // A corrupted segment fails its checksum and is dropped: to the caller it is loss.
  expectedAlerts: (target) =>
    target.name === REDIS_SERVICE ? ['ShopRedisCommandErrors'] : ['ShopDependencyErrors'],
});
