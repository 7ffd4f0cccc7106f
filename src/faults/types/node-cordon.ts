import { matchLabelsOf } from '../support/restart-pods.js';
import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { labelsMatch } from '../../kube/kube-object.js';
import { asNode } from '../../kube/typed-objects.js';
import { listKind } from '../../kube/typed-reads.js';
import type { FaultType } from '../fault-type.js';
import { planChange } from '../support/object-snapshot.js';
import { injectOrRollBack } from '../support/roll-back.js';
import { unavailabilityAlerts } from '../support/unavailability-alerts.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const params = z.strictObject({
  evict: z
    .array(z.string().regex(DNS_LABEL, 'must be a Deployment name'))
    .refine((names) => new Set(names).size === names.length, { message: 'must not repeat a Deployment' })
    .default([])
    .meta({ description: 'Deployments whose pods on the node are deleted, as a drain would evict them' }),
  namespace: z
    .string()
    .regex(DNS_LABEL, 'must be a namespace name')
    .default('shop')
    .meta({ description: 'Namespace of the Deployments in evict' }),
});
type Params = z.output<typeof params>;

/**
 * `kubectl cordon` followed by a partial drain: the node takes no new pods, and the named Deployments'
 * pods on it are deleted. Their replacements go to another schedulable node, or stay Pending when none is
 * left (every worker cordoned).
 */
export const nodeCordon: FaultType<Params> = {
  id: 'node-cordon',
  description:
    "Cordons the target Node and deletes the named Deployments' pods on it; with no schedulable node left they stay Pending.",
  params,
  needs: ['objects', 'scheduling'],
  targetKinds: ['Node'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: (_target, p) => [
    ...new Set([
      'KubePodPending',
      ...p.evict.flatMap((name) =>
        unavailabilityAlerts({ namespace: p.namespace, kind: 'Deployment', name }),
      ),
    ]),
  ],
  async inject(ctx) {
    const { objects } = ctx.target;
    const node = ctx.entity.name;
    const plan = await planChange(objects, ctx.entity, (n) => {
      n.spec = { ...(n.spec ?? {}), unschedulable: true };
    });
    if (asNode(plan.before)?.spec?.unschedulable) {
      throw new InvalidInputError(
        `${formatEntityId(ctx.entity)} is already cordoned (spec.unschedulable is true), so cordoning it changes nothing`,
      );
    }
    // Every Deployment to evict must exist before the node is touched.
    const selectors: Array<Record<string, string>> = [];
    for (const name of ctx.params.evict) {
      const d = await objects.get('Deployment', ctx.params.namespace, name);
      if (!d) {
        throw new InvalidInputError(
          `Deployment ${ctx.params.namespace}/${name} (in evict) does not exist; name Deployments of namespace ${ctx.params.namespace}`,
        );
      }
      selectors.push(matchLabelsOf(d));
    }
    return injectOrRollBack(
      ctx.logger,
      { description: `restore Node ${node} (uncordon)`, undo: () => plan.restore() },
      async () => {
        await objects.apply(plan.next);
        if (selectors.length === 0) return;
        const victims = (await listKind(objects, 'Pod', ctx.params.namespace))
          .filter((p) => p.spec?.nodeName === node)
          .filter((p) => !p.metadata.deletionTimestamp)
          .filter((p) => selectors.some((s) => labelsMatch(s, p.metadata.labels)))
          .map((p) => p.metadata.name)
          .sort();
        for (const pod of victims) await objects.delete('Pod', ctx.params.namespace, pod);
        ctx.logger.info({ node, pods: victims }, 'node cordoned and pods evicted');
      },
    );
  },
};
