import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, planChange } from '../support/object-snapshot.js';
import { probeFields, repointProbe } from '../support/probe-change.js';

/** A path the shop does not serve (its liveness endpoint is /healthz); it answers 404. */
const DEFAULT_PATH = '/health';

const params = z.strictObject({
  ...probeFields('liveness', DEFAULT_PATH),
  timeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(60)
    .optional()
    .meta({ description: 'Probe timeout in seconds, set along with the path or port; default unchanged' }),
});
type Params = z.output<typeof params>;

/**
 * A release whose liveness probe checks the wrong path or port: the service is healthy, but every check
 * fails, so the kubelet kills and restarts the container after each `failureThreshold` failures, and it
 * ends in CrashLoopBackOff. The readiness probe still passes between kills, so the rollout completes and
 * the restarts hit every replica.
 */
export const livenessProbeMisconfig: FaultType<Params> = {
  id: 'liveness-probe-misconfig',
  description:
    'Rolls out the target Deployment with its liveness probe on a wrong path or port (containers killed and restarted).',
  params,
  needs: ['objects', 'rollouts', 'probes'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubePodCrashLooping'],
  async inject(ctx) {
    const plan = await planChange(ctx.target.objects, ctx.entity, (d) =>
      repointProbe(d, 'livenessProbe', DEFAULT_PATH, ctx.params),
    );
    return applyPlanned(
      ctx.target.objects,
      ctx.logger,
      plan,
      `restore Deployment ${formatEntityId(ctx.entity)}`,
    );
  },
};
