import { z } from 'zod';
import { formatEntityId, type EntityRef } from '../../entities/entity-id.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { asDeployment, type HorizontalPodAutoscaler } from '../../kube/typed-objects.js';
import { listKind } from '../../kube/typed-reads.js';
import type { FaultType, Undo } from '../fault-type.js';
import { planChange } from '../support/object-snapshot.js';
import { injectOrRollBack, runAll } from '../support/roll-back.js';

const params = z
  .strictObject({
    maxReplicas: z
      .number()
      .int()
      .min(1)
      .default(1)
      .meta({ description: "The autoscaler's upper bound, below the Deployment's replicas" }),
    minReplicas: z.number().int().min(1).default(1).meta({ description: "The autoscaler's lower bound" }),
    cpuUtilization: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(80)
      .meta({ description: 'Target average CPU utilization, in percent of the CPU the pods request' }),
  })
  .refine((p) => p.minReplicas <= p.maxReplicas, {
    message: 'must not be above maxReplicas',
    path: ['minReplicas'],
    // Only once both bounds are valid numbers, so one bad value gives one message.
    when: (payload) => payload.issues.length === 0,
  });
type Params = z.output<typeof params>;

/** The autoscaler carries the Deployment's name, as `kubectl autoscale` names it. */
function hpaRef(target: EntityRef): EntityRef {
  return { namespace: target.namespace, kind: 'HorizontalPodAutoscaler', name: target.name };
}

/**
 * An autoscaler added with a maximum below what the Deployment needs. The HPA controller enforces its
 * bounds before it looks at any metric, so it scales the Deployment down to maxReplicas at once and keeps
 * it there.
 */
export const hpaMisconfig: FaultType<Params> = {
  id: 'hpa-misconfig',
  description:
    'Creates a HorizontalPodAutoscaler for the target Deployment whose maxReplicas is below its replicas; it is scaled down.',
  params,
  needs: ['objects', 'autoscaling'],
  targetKinds: ['Deployment'],
  groundTruth: (target) => [formatEntityId(hpaRef(target))],
  expectedAlerts: () => ['KubeHpaMaxedOut'],
  async inject(ctx) {
    const { objects } = ctx.target;
    const ref = hpaRef(ctx.entity);
    const namespace = ctx.entity.namespace ?? 'default';
    const id = formatEntityId(ctx.entity);
    // The Deployment as it is now: the controller will change its replicas, and undo puts them back.
    const deployment = await planChange(objects, ctx.entity, () => {});
    const replicas = asDeployment(deployment.before)?.spec?.replicas ?? 1;
    if (replicas <= ctx.params.maxReplicas) {
      throw new InvalidInputError(
        `${id} runs ${replicas} replica(s), not more than maxReplicas ${ctx.params.maxReplicas}, so the autoscaler would scale nothing down; target a Deployment with more replicas or lower maxReplicas`,
      );
    }
    for (const h of await listKind(objects, 'HorizontalPodAutoscaler', namespace)) {
      const t = h.spec?.scaleTargetRef;
      if (h.metadata.name === ref.name || (t?.kind === 'Deployment' && t.name === ctx.entity.name)) {
        throw new InvalidInputError(
          `${namespace}/HorizontalPodAutoscaler/${h.metadata.name} already exists for ${id}; remove it or target another Deployment`,
        );
      }
    }
    const labels = deployment.before.metadata.labels;
    const hpa: HorizontalPodAutoscaler = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: ref.name, namespace, ...(labels ? { labels: { ...labels } } : {}) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: ctx.entity.name },
        minReplicas: ctx.params.minReplicas,
        maxReplicas: ctx.params.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: ctx.params.cpuUtilization },
            },
          },
        ],
      },
    };
    const undo: Undo = {
      description: `delete HorizontalPodAutoscaler ${formatEntityId(ref)} and restore Deployment ${id}`,
      // The autoscaler goes first: while it exists it would scale the restored Deployment down again.
      undo: () =>
        runAll([
          () => objects.delete('HorizontalPodAutoscaler', namespace, ref.name),
          () => deployment.restore(),
        ]),
    };
    return injectOrRollBack(ctx.logger, undo, () => objects.apply(hpa));
  },
};
