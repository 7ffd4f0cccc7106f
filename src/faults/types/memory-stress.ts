import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { containersOf } from '../../kube/containers.js';
import { parseQuantity } from '../../kube/kube-object.js';
import { podSpecOf } from '../../kube/pod-template.js';
import { requireObject } from '../support/object-snapshot.js';
import { startChaos, workloadOf } from '../support/chaos-fault.js';
import type { FaultType } from '../fault-type.js';

const MIB = 1024 * 1024;

const params = z.strictObject({
  sizeMiB: z.number().int().min(1).max(65_536).meta({
    description: "Memory the stressor holds beside the container, MiB; must stay below the container's limit",
  }),
});
type Params = z.output<typeof params>;

export const memoryStress: FaultType<Params> = {
  id: 'memory-stress',
  description:
    "A noisy neighbour: a stressor holds memory beside the target's container, in its memory budget.",
  params,
  needs: ['objects', 'stress-chaos'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['ShopContainerMemoryNearLimit'],
  async inject(ctx) {
    const deploy = await requireObject(ctx.target.objects, ctx.entity);
    const limit = parseQuantity(containersOf(podSpecOf(deploy))[0]?.resources?.limits?.memory);
    // Past the limit the kernel kills whatever is largest in the cgroup (memory-limit stages that).
    if (limit !== undefined && ctx.params.sizeMiB * MIB >= limit) {
      throw new InvalidInputError(
        `params.sizeMiB ${ctx.params.sizeMiB} reaches the container's memory limit (${Math.floor(limit / MIB)} MiB); stay below it`,
      );
    }
    return startChaos(ctx, {
      kind: 'stress',
      workload: workloadOf(ctx.entity),
      memory: { workers: 1, sizeBytes: ctx.params.sizeMiB * MIB },
    });
  },
};
