import { describePacketShareFault } from '../../../tests/fixtures/faults/packet-share-cases.js';
import { networkCorrupt } from './network-corrupt.js';

describePacketShareFault(networkCorrupt, 'corrupt');
