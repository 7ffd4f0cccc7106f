import { z } from 'zod';
import { formatEntityId } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { runsDataStore } from '../../platform/data-stores.js';
import type { FaultType, Undo } from '../fault-type.js';
import { planChange } from '../support/object-snapshot.js';
import { deletePodsOf } from '../support/restart-pods.js';
import { injectOrRollBack } from '../support/roll-back.js';
import { secretReaders } from '../support/secret-readers.js';

const params = z.strictObject({
  restart: z
    .array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Deployment name, e.g. cart'))
    .min(1)
    .optional()
    .meta({
      description:
        'Deployments whose pods are replaced after the deletion (as a drain would); default every Deployment that reads the Secret, data stores left out',
    }),
});
type Params = z.output<typeof params>;

/**
 * A Secret deleted while workloads still read it ("unused" by the look of a clean-up script, or pruned by
 * a sync): pods that are running keep the values they started with, so nothing breaks until a reader's
 * pods are replaced, and the replacements cannot start (`CreateContainerConfigError`: secret "…" not
 * found). The data stores that read it (Redis, PostgreSQL) are never restarted: a database is not what a
 * drain of the app's nodes is about, and their clients are the point.
 */
export const secretDeleted: FaultType<Params> = {
  id: 'secret-deleted',
  description:
    'Deletes the target Secret, then replaces the pods of the Deployments that read it; the new pods cannot start.',
  params,
  needs: ['objects', 'secrets', 'pod-lifecycle'],
  targetKinds: ['Secret'],
  groundTruth: (target) => [formatEntityId(target)],
  expectedAlerts: () => ['KubeContainerWaiting'],
  async inject(ctx) {
    const { objects } = ctx.target;
    const id = formatEntityId(ctx.entity);
    // The Secret as it was, values and all, to put back on undo; never logged.
    const plan = await planChange(objects, ctx.entity, () => undefined);
    const readers = (await secretReaders(objects, ctx.entity.namespace, ctx.entity.name)).filter(
      (d) => !runsDataStore(d),
    );
    const wanted = ctx.params.restart;
    const unknown = (wanted ?? []).filter((n) => !readers.some((d) => d.metadata.name === n));
    if (unknown.length > 0) {
      throw new InvalidInputError(
        `restart names ${unknown.join(', ')}, which ${unknown.length === 1 ? 'does' : 'do'} not read Secret ${id} (its readers: ${readers.map((d) => d.metadata.name).join(', ') || 'none'})`,
      );
    }
    const chosen = wanted ? readers.filter((d) => wanted.includes(d.metadata.name)) : readers;
    if (chosen.length === 0) {
      throw new InvalidInputError(
        `no Deployment in namespace ${ctx.entity.namespace ?? ''} reads Secret ${id} (data stores are never restarted), so deleting it would break nothing`,
      );
    }
    const undo: Undo = {
      // The waiting pods start by themselves once the Secret is back: the kubelet retries.
      description: `recreate Secret ${id}`,
      undo: () => plan.restore(),
    };
    return injectOrRollBack(ctx.logger, undo, async () => {
      await objects.delete('Secret', ctx.entity.namespace, ctx.entity.name);
      for (const d of chosen) {
        const pods = await deletePodsOf(objects, d);
        ctx.logger.info({ deployment: d.metadata.name, pods }, `replaced the pods that read Secret ${id}`);
      }
    });
  },
};
