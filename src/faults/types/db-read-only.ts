import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { FaultType, Undo } from '../fault-type.js';
import { postgresAdminOf, quoteLiteral } from '../support/postgres.js';
import { injectOrRollBack } from '../support/roll-back.js';
import { requirePostgresDeployment } from '../support/workloads.js';

const params = z.strictObject({});
type Params = z.output<typeof params>;

const SETTING = 'default_transaction_read_only';

/**
 * The database takes reads and refuses every write (25006 read_only_sql_transaction), as a primary left
 * read-only after a failover, or by a maintenance switch nobody turned back, does.
 */
export const dbReadOnly: FaultType<Params> = {
  id: 'db-read-only',
  description:
    'Makes PostgreSQL start every transaction read-only (ALTER SYSTEM + reload): reads work, writes fail.',
  params,
  needs: ['objects', 'postgres-admin'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['ShopDatabaseErrors', 'ShopHighErrorRate'],
  async inject(ctx) {
    await requirePostgresDeployment(ctx.target.objects, ctx.entity);
    const pg = postgresAdminOf(ctx.target);
    const [now] = await pg.query('SELECT setting, source FROM pg_settings WHERE name = $1', [SETTING]);
    if (now?.setting === 'on') {
      throw new InvalidInputError(
        `PostgreSQL already starts every transaction read-only (${SETTING} = on, from its ${String(now.source)}), so this fault would change nothing; reset the environment first`,
      );
    }
    // What ALTER SYSTEM held before (postgresql.auto.conf): put back as it was, or removed when it was absent.
    const [held] = await pg.query(
      `SELECT setting FROM pg_file_settings
        WHERE name = $1 AND sourcefile LIKE '%/postgresql.auto.conf'
        ORDER BY seqno DESC LIMIT 1`,
      [SETTING],
    );
    const previous = held === undefined ? undefined : String(held.setting);
    const undo: Undo = {
      description:
        previous === undefined
          ? `remove PostgreSQL's ALTER SYSTEM ${SETTING} and reload`
          : `restore PostgreSQL's ALTER SYSTEM ${SETTING} = ${previous} and reload`,
      undo: async () => {
        await pg.query(
          previous === undefined
            ? `ALTER SYSTEM RESET ${SETTING}`
            : `ALTER SYSTEM SET ${SETTING} = ${quoteLiteral(previous)}`,
        );
        await pg.query('SELECT pg_reload_conf()');
      },
    };
    return injectOrRollBack(ctx.logger, undo, async () => {
      await pg.query(`ALTER SYSTEM SET ${SETTING} = on`);
      // Every session, the pools' open ones included, starts its next transaction read-only.
      await pg.query('SELECT pg_reload_conf()');
    });
  },
};
