import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { FaultType, Undo } from '../fault-type.js';
import { injectOrRollBack } from '../support/roll-back.js';
import { requireRedisDeployment } from '../support/workloads.js';

const params = z.strictObject({
  password: z.string().min(8).optional().meta({ description: 'New Redis password; default a random one' }),
});
type Params = z.output<typeof params>;

/**
 * Redis's password is rotated in the server but not in the Secret its clients use. Existing
 * connections are dropped (as a restart would), so every reconnect fails with WRONGPASS.
 */
export const redisAuthChange: FaultType<Params> = {
  id: 'redis-auth-change',
  description:
    "Changes Redis's password without updating the Secret its clients read, and drops their connections.",
  params,
  needs: ['objects', 'redis-admin'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['ShopHighErrorRate'],
  async inject(ctx) {
    await requireRedisDeployment(ctx.target.objects, ctx.entity);
    const { redis } = ctx.target;
    const reply = await redis.command(['CONFIG', 'GET', 'requirepass']);
    const old = Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : '';
    const next = ctx.params.password ?? randomBytes(12).toString('hex');
    // No password means no AUTH at all: AUTH with an empty password is an error reply.
    const asOld = old === '' ? undefined : { password: old };
    let attempted = false;
    let changed = false;
    const undo: Undo = {
      description: `restore the Redis password of ${formatEntityId(ctx.entity)}`,
      undo: async () => {
        if (!attempted) return;
        const restore = ['CONFIG', 'SET', 'requirepass', old];
        try {
          // After the change only the new password opens a connection.
          await redis.command(restore, { password: next });
        } catch (err) {
          // A change whose reply was lost may not have happened: then the old password still holds.
          if (changed) throw err;
          await redis.command(restore, asOld);
        }
        await redis.command(['CLIENT', 'KILL', 'TYPE', 'normal'], asOld);
      },
    };
    return injectOrRollBack(ctx.logger, undo, async () => {
      attempted = true;
      await redis.command(['CONFIG', 'SET', 'requirepass', next]);
      changed = true;
      await redis.command(['CLIENT', 'KILL', 'TYPE', 'normal'], { password: next });
    });
  },
};
