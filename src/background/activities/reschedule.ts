import type { ActivityKind } from '../activity-kind.js';
import { eligibleDeployments, livePodsOf, pickFrom } from '../eligible.js';

/** One pod deleted and replaced by its ReplicaSet, as a node drain or an eviction does now and then. */
export const reschedule: ActivityKind = {
  id: 'reschedule',
  needs: ['objects', 'pod-lifecycle'],
  alerts: [],
  plan(rng) {
    return { params: { pod: rng.next() } };
  },
  async run(action, ctx) {
    const d = pickFrom(await eligibleDeployments(ctx, { instant: true }), action.pick);
    if (!d) return { target: null, detail: 'no pod to reschedule' };
    const pod = pickFrom(await livePodsOf(ctx, d), Number(action.params.pod));
    if (!pod) return { target: null, detail: `no running pod of ${d.metadata.name}` };
    await ctx.target.objects.delete('Pod', ctx.namespace, pod.metadata.name);
    return {
      target: `${ctx.namespace}/Pod/${pod.metadata.name}`,
      detail: 'pod deleted, replaced by its ReplicaSet',
    };
  },
};
