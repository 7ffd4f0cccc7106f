import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { FaultType, Undo } from '../fault-type.js';
import { injectOrRollBack } from '../support/roll-back.js';
import { requireRedisDeployment } from '../support/workloads.js';

const params = z.strictObject({
  maxmemory: z
    .string()
    .regex(/^\d+(b|kb|mb|gb)?$/i, 'must be a Redis memory size like 512kb')
    .default('512kb')
    .meta({ description: 'New maxmemory, below what the dataset already uses' }),
  policy: z
    .enum(['noeviction', 'allkeys-lru', 'volatile-lru', 'allkeys-random', 'volatile-ttl'])
    .default('noeviction'),
});
type Params = z.output<typeof params>;

function configValue(reply: unknown): string {
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : '';
}

/** Redis runs out of its memory budget: with noeviction every write is refused with OOM. */
export const redisMaxmemory: FaultType<Params> = {
  id: 'redis-maxmemory',
  description: "Lowers Redis's maxmemory below its dataset with noeviction, so writes fail with OOM errors.",
  params,
  needs: ['objects', 'redis-admin'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['ShopHighErrorRate'],
  async inject(ctx) {
    await requireRedisDeployment(ctx.target.objects, ctx.entity);
    const { redis } = ctx.target;
    const before = {
      maxmemory: configValue(await redis.command(['CONFIG', 'GET', 'maxmemory'])),
      policy: configValue(await redis.command(['CONFIG', 'GET', 'maxmemory-policy'])),
    };
    // Both orders avoid a moment of low maxmemory with an evicting policy, which would delete the carts:
    // the inject makes the policy strict before lowering the budget, the undo raises it before relaxing.
    const undo: Undo = {
      description: `restore Redis maxmemory ${before.maxmemory} (${before.policy})`,
      undo: async () => {
        await redis.command(['CONFIG', 'SET', 'maxmemory', before.maxmemory || '0']);
        await redis.command(['CONFIG', 'SET', 'maxmemory-policy', before.policy || 'noeviction']);
      },
    };
    return injectOrRollBack(ctx.logger, undo, async () => {
      await redis.command(['CONFIG', 'SET', 'maxmemory-policy', ctx.params.policy]);
      await redis.command(['CONFIG', 'SET', 'maxmemory', ctx.params.maxmemory]);
    });
  },
};
