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
  percent: percentParam('lost'),
  correlation: correlationParam,
});

export const networkLoss = linkFault({
  id: 'network-loss',
  description: 'The link from one workload to the target loses a share of its packets.',
  params,
  action: 'loss',
  settings: (p) => ({ loss: { percent: p.percent, correlation: p.correlation } }),
  expectedAlerts: (target) =>
    target.name === REDIS_SERVICE ? ['ShopRedisCommandErrors'] : ['ShopDependencyErrors'],
});
