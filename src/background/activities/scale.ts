import { formatEntityId } from '../../entities/entity-id.js';
import { planChange } from '../../faults/support/object-snapshot.js';
import type { ActivityKind } from '../activity-kind.js';
import { eligibleDeployments, pickFrom } from '../eligible.js';

/** Replicas added for a while and taken away again, as an operator (or a schedule) does before a peak. */
export const scale: ActivityKind = {
  id: 'scale',
  needs: ['objects', 'rollouts'],
  alerts: [],
  plan(rng) {
    return { durationMs: rng.int(60, 150) * 1000, params: { add: 1 } };
  },
  async run(action, ctx) {
    const d = pickFrom(await eligibleDeployments(ctx), action.pick);
    if (!d) return { target: null, detail: 'no Deployment to scale' };
    const ref = { namespace: ctx.namespace, kind: 'Deployment', name: d.metadata.name };
    const from = Number(d.spec?.replicas ?? 1);
    const to = from + Number(action.params.add);
    const setReplicas = async (n: number): Promise<void> => {
      const plan = await planChange(ctx.target.objects, ref, (next) => {
        if (next.spec) next.spec.replicas = n;
      });
      await ctx.target.objects.apply(plan.next);
    };
    await setReplicas(to);
    return {
      target: formatEntityId(ref),
      detail: `scaled from ${from} to ${to} replicas`,
      undo: () => setReplicas(from),
    };
  },
};
