import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { parseQuantity } from '../../kube/kube-object.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, containerOf, planChange } from '../support/object-snapshot.js';

const params = z.strictObject({
  container: z.string().optional(),
  limit: z
    .string()
    .regex(/^\d+(Ki|Mi|Gi)$/, 'must be a memory quantity like 48Mi')
    .meta({ description: 'New memory limit, too small for the workload' }),
});
type Params = z.output<typeof params>;

/** A memory limit set below what the service needs: its new pods are OOMKilled. */
export const memoryLimit: FaultType<Params> = {
  id: 'memory-limit',
  description:
    "Rolls out the target Deployment with a memory limit below the service's working set (OOMKilled).",
  params,
  needs: ['objects', 'rollouts', 'pod-lifecycle'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubeContainerOOMKilled'],
  async inject(ctx) {
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) => {
      const c = containerOf(d, ctx.params.container);
      const res = c.resources ?? {};
      res.limits = { ...(res.limits ?? {}), memory: ctx.params.limit };
      // A request above the limit is rejected by the API server: lower it to the limit, and only then (a
      // request already below the limit stays, so scheduling is not changed along with the fault).
      const request = parseQuantity(res.requests?.memory);
      if (res.requests && request !== undefined && request > (parseQuantity(ctx.params.limit) ?? Infinity)) {
        res.requests = { ...res.requests, memory: ctx.params.limit };
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
