import { z } from 'zod';
import { flagFault } from '../support/flag-fault.js';
import { ORDER_STREAM_CONSUMERS } from '../support/order-stream.js';

const params = z.strictObject({});

/**
 * A queue consumer stops taking messages while staying up and ready: its in-flight limit is set to 0 at run
 * time (a throttle turned all the way down during maintenance and left there). Its group's backlog grows,
 * orders are never booked or fulfilled, and checkout, which only publishes, stays healthy.
 */
export const queueConsumerStall = flagFault({
  id: 'queue-consumer-stall',
  description:
    'The target queue consumer holds its reads (in-flight limit 0) while staying ready: its backlog grows and orders never complete.',
  params,
  setting: 'consumer',
  value: () => ({ maxInFlight: 0 }),
  expectedAlerts: () => ['ShopQueueBacklogAging'],
  services: ORDER_STREAM_CONSUMERS,
});
