import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, planChange } from '../support/object-snapshot.js';
import { probeFields, repointProbe } from '../support/probe-change.js';

/** A path the shop does not serve (its readiness endpoint is /readyz), as a copy from another chart would have. */
const DEFAULT_PATH = '/ready';

const params = z.strictObject(probeFields('readiness', DEFAULT_PATH));
type Params = z.output<typeof params>;

/**
 * A release whose readiness probe checks the wrong path or port: the new pod runs and serves, but the
 * kubelet never marks it ready, so it never joins its Service and the rollout stalls (maxUnavailable 0)
 * while the old pods keep serving.
 */
export const readinessProbeMisconfig: FaultType<Params> = {
  id: 'readiness-probe-misconfig',
  description:
    'Rolls out the target Deployment with its readiness probe on a wrong path or port (new pods never Ready).',
  params,
  needs: ['objects', 'rollouts', 'probes'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubePodNotReady'],
  async inject(ctx) {
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) =>
      repointProbe(d, 'readinessProbe', DEFAULT_PATH, ctx.params),
    );
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
