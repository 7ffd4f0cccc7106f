import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import type { FaultType } from '../fault-type.js';
import { applyPlanned, containerOf, planChange, requirePodSpec } from '../support/object-snapshot.js';

const params = z.strictObject({
  claimName: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label, e.g. cart-data')
    .max(63)
    .optional()
    .meta({
      description: "PersistentVolumeClaim the pods mount (it must not exist); default '<target>-data'",
    }),
  mountPath: z
    .string()
    .regex(/^\/[^:]*$/, 'must be an absolute path without ":"')
    .optional()
    .meta({ description: "Where the container mounts the volume; default '/var/lib/<target>'" }),
  container: z
    .string()
    .optional()
    .meta({ description: 'Container to mount the volume in; default the first' }),
});
type Params = z.output<typeof params>;

/**
 * A rollout that adds a volume backed by a claim nobody created. The scheduler cannot place the new pod
 * (`persistentvolumeclaim "<claim>" not found`), so it stays Pending and the rollout stalls while the old
 * pod keeps serving.
 */
export const pvcMissing: FaultType<Params> = {
  id: 'pvc-missing',
  description:
    'Rolls out the target Deployment with a volume from a PersistentVolumeClaim that does not exist; the new pod stays Pending.',
  params,
  needs: ['objects', 'rollouts', 'volume-binding'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubePodPending'],
  async inject(ctx) {
    const { objects } = ctx.target;
    const target = ctx.entity.name;
    const claimName = ctx.params.claimName ?? `${target}-data`;
    const mountPath = ctx.params.mountPath ?? `/var/lib/${target}`;
    const namespace = ctx.entity.namespace ?? 'default';
    if (await objects.get('PersistentVolumeClaim', namespace, claimName)) {
      throw new InvalidInputError(
        `${namespace}/PersistentVolumeClaim/${claimName} exists, so the claim would not be missing; name a claim that does not exist`,
      );
    }
    const plan = await planChange(objects, ctx.entity, (d: KubeObject) => {
      const c = containerOf(d, ctx.params.container);
      const pod = requirePodSpec(d);
      const id = formatEntityId(ctx.entity);
      if ((pod.volumes ?? []).some((v) => v.name === claimName)) {
        throw new InvalidInputError(
          `${id} already has a volume named "${claimName}"; choose another claimName`,
        );
      }
      if ((c.volumeMounts ?? []).some((m) => m.mountPath === mountPath)) {
        throw new InvalidInputError(
          `container "${c.name}" of ${id} already mounts a volume at ${mountPath}; choose another mountPath`,
        );
      }
      pod.volumes = [...(pod.volumes ?? []), { name: claimName, persistentVolumeClaim: { claimName } }];
      c.volumeMounts = [...(c.volumeMounts ?? []), { name: claimName, mountPath }];
    });
    return applyPlanned(objects, ctx.logger, plan, `restore Deployment ${formatEntityId(ctx.entity)}`);
  },
};
