import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { asDeployment } from '../../kube/typed-objects.js';
import { unavailabilityAlerts } from '../support/unavailability-alerts.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, planChange } from '../support/object-snapshot.js';

const params = z.strictObject({});
type Params = z.output<typeof params>;

/** Someone scaled the target to zero replicas: its Service has no endpoints left. */
export const scaleToZero: FaultType<Params> = {
  id: 'scale-to-zero',
  description: 'Scales the target Deployment to zero replicas, leaving its Service without endpoints.',
  params,
  needs: ['objects', 'rollouts'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: (target) => unavailabilityAlerts(target),
  async inject(ctx) {
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) => {
      const spec = asDeployment(d)?.spec;
      if (!spec) throw new InvalidInputError(`${formatEntityId(ctx.entity)} has no Deployment spec to scale`);
      spec.replicas = 0;
    });
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
