import { packetShareFault } from '../support/packet-share-fault.js';

export const networkCorrupt = packetShareFault({
  id: 'network-corrupt',
  description: 'The link from one workload to the target corrupts a share of its packets.',
  action: 'corrupt',
  what: 'corrupted',
});
