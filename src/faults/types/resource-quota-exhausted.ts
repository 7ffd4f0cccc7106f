import { matchLabelsOf } from '../support/restart-pods.js';
import { z } from 'zod';
import { formatEntityId, type EntityRef } from '../../entities/entity-id.js';
import { labelsMatch, type KubeObject } from '../../kube/kube-object.js';
import { podPhaseOf } from '../../kube/pod-status.js';
import type { ResourceQuota } from '../../kube/typed-objects.js';
import type { FaultType } from '../fault-type.js';
import { deleteOnUndo, partOfLabels, refuseTakenName } from '../support/namespace-object.js';
import { requireObject } from '../support/object-snapshot.js';
import { injectOrRollBack } from '../support/roll-back.js';
import { unavailabilityAlerts } from '../support/unavailability-alerts.js';

const params = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label, e.g. shop-quota')
    .max(63)
    .optional()
    .meta({ description: "Name of the ResourceQuota; default '<namespace>-quota'" }),
});
type Params = z.output<typeof params>;

/** The quota's name: the given one, or `<namespace>-quota` as an operator would call it. */
function quotaName(target: EntityRef, p: Params): string {
  return p.name ?? `${target.namespace ?? 'default'}-quota`;
}

/**
 * Pods the quota admission counts: those not in a terminal phase. Pods already being deleted are left
 * out too; they are on their way out and must not be part of the budget left to the namespace.
 */
function counted(pod: KubeObject): boolean {
  const phase = podPhaseOf(pod);
  return !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/**
 * A pod quota sized to exactly what the rest of the namespace runs for good (its Jobs' pods left out: they
 * finish): once the target's pods are gone (as they would be after a node drain or a restart), the
 * ReplicaSet's replacements are refused at admission.
 */
export const resourceQuotaExhausted: FaultType<Params> = {
  id: 'resource-quota-exhausted',
  description:
    "Creates a pod ResourceQuota the namespace already fills, then deletes the target's pods; their replacements are refused.",
  params,
  needs: ['objects', 'admission-quota'],
  targetKinds: ['Deployment'],
  groundTruth: (target, p) => [
    formatEntityId({ namespace: target.namespace, kind: 'ResourceQuota', name: quotaName(target, p) }),
  ],
  expectedAlerts: (target) => [
    'KubeQuotaFullyUsed',
    'KubeDeploymentReplicasMismatch',
    ...unavailabilityAlerts(target),
  ],
  async inject(ctx) {
    const { objects } = ctx.target;
    const namespace = ctx.entity.namespace ?? 'default';
    const name = quotaName(ctx.entity, ctx.params);
    const quotaId = await refuseTakenName(objects, 'ResourceQuota', namespace, name, 'quota');
    const deploy = await requireObject(objects, ctx.entity);
    const selector = matchLabelsOf(deploy);
    const pods = (await objects.list('Pod', namespace)).filter(counted);
    const own = pods
      .filter((p) => labelsMatch(selector, p.metadata.labels))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    // A Job's pod finishes on its own and gives its slot back: were it counted, the first background Job
    // to complete would let a replacement in. The quota holds the namespace's long-running pods; a Job's
    // new pod is refused too, as it would be in a namespace whose quota is full.
    const others = pods.filter(
      (p) => !own.includes(p) && !(p.metadata.ownerReferences ?? []).some((r) => r.kind === 'Job'),
    ).length;
    const quota: ResourceQuota = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name, namespace, ...partOfLabels(deploy) },
      spec: { hard: { pods: String(others) } },
    };
    const undo = deleteOnUndo(objects, 'ResourceQuota', namespace, name);
    return injectOrRollBack(ctx.logger, undo, async () => {
      await objects.apply(quota);
      for (const p of own) await objects.delete('Pod', namespace, p.metadata.name);
      ctx.logger.info(
        { quota: quotaId, pods: others, deleted: own.map((p) => p.metadata.name) },
        'pod quota set to what the namespace already runs',
      );
    });
  },
};
