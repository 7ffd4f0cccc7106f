import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { FaultType, Undo } from '../fault-type.js';
import { postgresAdminOf, quoteIdent, roleName } from '../support/postgres.js';
import { injectOrRollBack } from '../support/roll-back.js';
import { requirePostgresDeployment } from '../support/workloads.js';

const params = z.strictObject({
  role: roleName
    .default('shop')
    .meta({ description: "The login role whose connections are limited: the app's role" }),
  limit: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(3)
    .meta({ description: "The role's new CONNECTION LIMIT, below what the services' pools hold together" }),
  dropExisting: z.boolean().default(true).meta({
    description:
      "End the role's open sessions (pg_terminate_backend), so the pools have to reconnect into the limit",
  }),
});
type Params = z.output<typeof params>;

/**
 * The app's database role is capped at a few connections (a limit meant for another role, a tightened
 * quota): the services' pools reconnect into it and are refused with 53300 "too many connections for role".
 */
export const dbConnectionLimit: FaultType<Params> = {
  id: 'db-connection-limit',
  description:
    "Caps the app role's connections (ALTER ROLE … CONNECTION LIMIT) and ends its sessions, so the pools are refused.",
  params,
  needs: ['objects', 'postgres-admin'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['ShopDatabaseErrors'],
  async inject(ctx) {
    await requirePostgresDeployment(ctx.target.objects, ctx.entity);
    const pg = postgresAdminOf(ctx.target);
    const { role, limit } = ctx.params;
    const [found] = await pg.query('SELECT rolconnlimit, rolsuper FROM pg_roles WHERE rolname = $1', [role]);
    if (!found) {
      const roles = await pg.query(
        'SELECT rolname FROM pg_roles WHERE rolcanlogin AND NOT rolsuper ORDER BY rolname',
      );
      const names = roles.map((r) => String(r.rolname));
      throw new InvalidInputError(
        `params.role: PostgreSQL has no role "${role}"${names.length > 0 ? `; its login roles: ${names.join(', ')}` : ''}`,
      );
    }
    if (found.rolsuper === true) {
      throw new InvalidInputError(
        `params.role: "${role}" is a superuser, and connection limits do not apply to superusers; name the app's role, e.g. shop`,
      );
    }
    const previous = Number(found.rolconnlimit);
    if (!Number.isInteger(previous)) {
      throw new Error(
        `PostgreSQL answered a connection limit of ${String(found.rolconnlimit)} for role ${role}`,
      );
    }
    const undo: Undo = {
      description: `restore the connection limit of PostgreSQL role ${role} to ${previous}`,
      undo: async () => {
        await pg.query(`ALTER ROLE ${quoteIdent(role)} CONNECTION LIMIT ${previous}`);
      },
    };
    return injectOrRollBack(ctx.logger, undo, async () => {
      await pg.query(`ALTER ROLE ${quoteIdent(role)} CONNECTION LIMIT ${limit}`);
      if (!ctx.params.dropExisting) return;
      // The limit is checked only at connect: the sessions the pools hold already would go on working.
      const ended = await pg.query(
        `SELECT pid, application_name, pg_terminate_backend(pid) AS ended
           FROM pg_stat_activity
          WHERE usename = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        [role],
      );
      ctx.logger.info(
        { role, sessions: ended.map((r) => `${String(r.pid)} ${String(r.application_name)}`) },
        `ended ${ended.length} session(s) of role ${role}`,
      );
    });
  },
};
