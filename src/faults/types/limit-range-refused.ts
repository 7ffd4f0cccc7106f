import { z } from 'zod';
import { formatEntityId, type EntityRef } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { allContainersOf } from '../../kube/containers.js';
import { parseQuantity } from '../../kube/kube-object.js';
import { podSpecOf } from '../../kube/pod-template.js';
import type { LimitRange } from '../../kube/typed-objects.js';
import type { FaultType } from '../fault-type.js';
import { deleteOnUndo, partOfLabels, refuseTakenName } from '../support/namespace-object.js';
import { requireObject } from '../support/object-snapshot.js';
import { deletePodsOf } from '../support/restart-pods.js';
import { injectOrRollBack } from '../support/roll-back.js';
import { unavailabilityAlerts } from '../support/unavailability-alerts.js';

const params = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label, e.g. shop-limits')
    .max(63)
    .optional()
    .meta({ description: "Name of the LimitRange; default '<namespace>-limits'" }),
  maxMemory: z
    .string()
    .regex(/^\d+(Ki|Mi|Gi)$/, 'must be a memory quantity like 128Mi')
    .default('128Mi')
    .meta({
      description:
        "The most memory a container may be limited to; below the target's limit, so its new pods are refused",
    }),
});
type Params = z.output<typeof params>;

/** The LimitRange's name: the given one, or `<namespace>-limits` as a platform team would call it. */
function limitRangeName(target: EntityRef, p: Params): string {
  return p.name ?? `${target.namespace ?? 'default'}-limits`;
}

/**
 * A ceiling on every container's memory limit, set by a platform team for the whole namespace and below
 * what the target's containers declare. Nothing running changes (LimitRange admission judges pods as they
 * are created), so the target's pods are then deleted as a node drain or an eviction would: the
 * ReplicaSet's replacements are refused at admission ("maximum memory usage per Container is …"), a
 * message that names the limit but not the object that sets it. Every other workload's next pod would be
 * refused as well; only the target has lost its pods.
 */
export const limitRangeRefused: FaultType<Params> = {
  id: 'limit-range-refused',
  description:
    "Creates a namespace LimitRange whose container memory ceiling is below the target's limit, then deletes the target's pods; their replacements are refused.",
  params,
  needs: ['objects', 'admission-quota'],
  targetKinds: ['Deployment'],
  groundTruth: (target, p) => [
    formatEntityId({ namespace: target.namespace, kind: 'LimitRange', name: limitRangeName(target, p) }),
  ],
  expectedAlerts: (target) => ['KubeDeploymentReplicasMismatch', ...unavailabilityAlerts(target)],
  async inject(ctx) {
    const { objects } = ctx.target;
    const namespace = ctx.entity.namespace ?? 'default';
    const name = limitRangeName(ctx.entity, ctx.params);
    const id = await refuseTakenName(objects, 'LimitRange', namespace, name, 'LimitRange');
    const deploy = await requireObject(objects, ctx.entity);
    const ceiling = parseQuantity(ctx.params.maxMemory) ?? 0;
    const over = allContainersOf(podSpecOf(deploy)).filter(
      (c) => (parseQuantity(c.resources?.limits?.memory) ?? 0) > ceiling,
    );
    if (over.length === 0) {
      throw new InvalidInputError(
        `maxMemory ${ctx.params.maxMemory} is not below the memory limit of any container of ${formatEntityId(ctx.entity)}, so its pods would be admitted; set a lower maxMemory`,
      );
    }
    const limitRange: LimitRange = {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name, namespace, ...partOfLabels(deploy) },
      spec: { limits: [{ type: 'Container', max: { memory: ctx.params.maxMemory } }] },
    };
    const undo = deleteOnUndo(objects, 'LimitRange', namespace, name);
    return injectOrRollBack(ctx.logger, undo, async () => {
      await objects.apply(limitRange);
      const deleted = await deletePodsOf(objects, deploy);
      ctx.logger.info(
        { limitRange: id, maxMemory: ctx.params.maxMemory, containers: over.map((c) => c.name), deleted },
        'container memory ceiling set below the workload limit',
      );
    });
  },
};
