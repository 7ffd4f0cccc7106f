import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { requireObject } from '../support/object-snapshot.js';
import { startChaos, workloadOf } from '../support/chaos-fault.js';
import type { FaultType } from '../fault-type.js';

const params = z.strictObject({
  workers: z.number().int().min(1).max(16).default(1).meta({ description: 'Busy workers (stress-ng --cpu)' }),
  load: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(100)
    .meta({ description: 'Percent of one core each worker keeps busy (stress-ng --cpu-load)' }),
});
type Params = z.output<typeof params>;

export const cpuStress: FaultType<Params> = {
  id: 'cpu-stress',
  description: "A noisy neighbour: CPU stressors run beside the target's container, in its CPU budget.",
  params,
  needs: ['objects', 'stress-chaos'],
  targetKinds: ['Deployment'],
  // The workload whose pods carry the stressors: stopping them (or that workload) ends it.
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['ShopContainerCPUNearLimit'],
  async inject(ctx) {
    await requireObject(ctx.target.objects, ctx.entity);
    return startChaos(ctx, {
      kind: 'stress',
      workload: workloadOf(ctx.entity),
      cpu: { workers: ctx.params.workers, load: ctx.params.load },
    });
  },
};
