import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, containerOf, planChange } from '../support/object-snapshot.js';

const params = z.strictObject({
  container: z.string().optional().meta({ description: 'Container to break; default the first' }),
  args: z.array(z.string()).optional().meta({
    description: 'Arguments the container is started with; default a service name the image does not know',
  }),
});
type Params = z.output<typeof params>;

/**
 * A bad deploy: the container's arguments name something the program does not know, so every new pod
 * exits at start. The rolling update keeps the old pods, so users may see nothing while the new
 * ReplicaSet crash-loops, as in a cluster.
 */
export const crashLoop: FaultType<Params> = {
  id: 'crash-loop',
  description:
    'Rolls out the target Deployment with container arguments that make it exit at start (CrashLoopBackOff).',
  params,
  needs: ['objects', 'rollouts'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubePodCrashLooping'],
  async inject(ctx) {
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) => {
      const c = containerOf(d, ctx.params.container);
      c.args = ctx.params.args ?? [`${ctx.entity.name}-v2`];
    });
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
