import { z } from 'zod';
import { flagFault } from '../support/flag-fault.js';

/** The services that talk to PostgreSQL through a pool (apps/shop/src/runtime/postgres-client.ts). */
export const POOLED_SERVICES = ['inventory', 'checkout', 'accounting', 'fulfillment'] as const;

const params = z.strictObject({
  leakFraction: z.number().gt(0).max(1).default(0.05).meta({
    description:
      "Fraction of the service's transactions that keep a pooled connection for good: the pool (db.poolMax per pod) drains at this rate",
  }),
});

/**
 * A connection leak: the target service's transaction audit sampling is switched on at run time, and that
 * code path takes a pooled connection it never releases. The pool drains at the sampled rate; once it is
 * empty every query waits acquireTimeoutMs and fails, while PostgreSQL itself stays healthy (the leaked
 * sessions sit idle). An operator's fix is the one undo does: switch it off and replace the pods.
 */
export const dbPoolExhaustion = flagFault({
  id: 'db-pool-exhaustion',
  description:
    "The target's connection pool leaks (a sampled audit path never releases its connection) until every query times out waiting for one.",
  params,
  setting: 'audit',
  value: (p) => ({ fraction: p.leakFraction }),
  // inventory and checkout sit on checkout's synchronous path; the consumers fall behind instead.
  expectedAlerts: (target) =>
    target.name === 'accounting' || target.name === 'fulfillment'
      ? ['ShopDatabasePoolSaturated', 'ShopQueueBacklogAging']
      : ['ShopDatabasePoolSaturated', 'ShopDatabaseErrors'],
  replacePodsOnUndo: true,
  services: POOLED_SERVICES,
});
