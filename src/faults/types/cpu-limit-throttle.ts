import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { parseQuantity } from '../../kube/kube-object.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, containerOf, planChange } from '../support/object-snapshot.js';

const params = z.strictObject({
  container: z.string().optional().meta({ description: 'Container to change; default the first' }),
  limit: z
    .string()
    .regex(/^[0-9]+m$|^[0-9]+(\.[0-9]+)?$/, { error: 'must be a CPU quantity like 50m or 0.05', abort: true })
    .refine((q) => (parseQuantity(q) ?? 0) > 0, 'must be above 0')
    .default('50m')
    .meta({
      description:
        'New CPU limit, below what the service uses under load (but enough to start before its liveness probe gives up)',
    }),
});
type Params = z.output<typeof params>;

/**
 * A resources change that cuts the CPU limit: the kernel's CFS quota lets the container run only `limit`
 * of each 100 ms period, so under load its requests queue and latency climbs, with no error and no restart.
 */
export const cpuLimitThrottle: FaultType<Params> = {
  id: 'cpu-limit-throttle',
  description:
    "Rolls out the target Deployment with a CPU limit below the service's load (CFS throttling, high latency).",
  params,
  needs: ['objects', 'rollouts', 'cpu-limits'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['ShopHighLatencyP95'],
  async inject(ctx) {
    const limit = ctx.params.limit;
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) => {
      const c = containerOf(d, ctx.params.container);
      const res = c.resources ?? {};
      const current = parseQuantity(res.limits?.cpu);
      const next = parseQuantity(limit) ?? 0;
      // A limit that is not lower throttles nothing more than before: the fault would stage nothing.
      if (current !== undefined && next >= current) {
        throw new InvalidInputError(
          `the CPU limit ${limit} is not below the current limit ${String(res.limits?.cpu)} of container ${c.name} of Deployment ${d.metadata.namespace ?? ''}/${d.metadata.name}`,
        );
      }
      res.limits = { ...(res.limits ?? {}), cpu: limit };
      // A request above the limit is rejected by the API server: lower it to the limit, and only then.
      const request = parseQuantity(res.requests?.cpu);
      if (res.requests && request !== undefined && request > next) {
        res.requests = { ...res.requests, cpu: limit };
      }
      c.resources = res;
    });
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
