import { packetShareFault } from '../support/packet-share-fault.js';

export const networkLoss = packetShareFault({
  id: 'network-loss',
  description: 'The link from one workload to the target loses a share of its packets.',
  action: 'loss',
  what: 'lost',
});
