import { describePacketShareFault } from '../../../tests/fixtures/faults/packet-share-cases.js';
import { networkLoss } from './network-loss.js';

describePacketShareFault(networkLoss, 'loss');
