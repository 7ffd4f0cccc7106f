import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { FaultType } from '../fault-type.js';
import { missingTableError } from '../support/postgres.js';
import { holderParams, holdLocks } from '../support/postgres-holder.js';
import { requirePostgresDeployment } from '../support/workloads.js';

/** The shop's tables (apps/shop/src/db/migrations.ts). */
const TABLES = ['stock', 'orders', 'reservations', 'ledger'] as const;
const MODES = ['SHARE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'] as const;

const params = z.strictObject({
  table: z.enum(TABLES).default('ledger').meta({ description: "The shop's table the session locks" }),
  mode: z.enum(MODES).default('SHARE').meta({
    description:
      'SHARE blocks INSERT/UPDATE/DELETE but not SELECT; EXCLUSIVE also blocks SELECT … FOR UPDATE; ACCESS EXCLUSIVE blocks every read too',
  }),
  ...holderParams({ what: 'the lock', applicationName: 'psql' }),
});
type Params = z.output<typeof params>;

/**
 * A session holds a lock on one of the shop's tables, as an operator's forgotten `psql` transaction
 * would: the statements that need a conflicting lock queue behind it until their statement timeouts.
 */
export const dbLockHeld: FaultType<Params> = {
  id: 'db-lock-held',
  description:
    "A session holds a table lock on one of the shop's tables (an operator's forgotten psql transaction): writes to it queue and time out.",
  params,
  needs: ['objects', 'postgres-admin'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  // ledger: only accounting writes it, one message at a time. Its INSERTs wait out the statement timeout
  // (accounting-config: 5000 ms) and fail, the messages stay pending and the group falls behind. The other
  // tables sit on checkout's path (inventory's reservations, checkout's orders): orders fail with 5xx.
  expectedAlerts: (_target, p) =>
    p.table === 'ledger'
      ? ['ShopQueueBacklogAging', 'ShopQueueConsumerErrors', 'ShopDatabaseErrors']
      : ['ShopDatabaseErrors', 'ShopHighErrorRate'],
  async inject(ctx) {
    await requirePostgresDeployment(ctx.target.objects, ctx.entity);
    const p = ctx.params;
    return holdLocks(ctx, p, {
      what: `the ${p.mode} lock on table ${p.table}`,
      // The table and the mode are enums (params).
      take: `LOCK TABLE ${p.table} IN ${p.mode} MODE;`,
      explain: (err) => missingTableError(p.table, err),
      logFields: { table: p.table, mode: p.mode },
    });
  },
};
