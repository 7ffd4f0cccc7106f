import type { ActivityContext, ActivityKind } from '../activity-kind.js';
import { eligibleDeployments, livePodsOf, pickFrom } from '../eligible.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { isPodReady } from '../../kube/pod-status.js';
import { asDeployment } from '../../kube/typed-objects.js';

/**
 * The disruption budget (minAvailable 1, as a team sets one for a service it does not want a drain to
 * take down) allows one eviction: more than one replica wanted, every one of them with a live pod, and
 * every live pod ready. Judged from the pods, not the Deployment's status, which lags a deletion by a
 * controller pass: two reschedules seconds apart would both pass a status check.
 */
async function withinBudget(ctx: ActivityContext, d: KubeObject): Promise<boolean> {
  const want = asDeployment(d)?.spec?.replicas ?? 1;
  const pods = await livePodsOf(ctx, d);
  return want > 1 && pods.length >= want && pods.every(isPodReady);
}

/** One pod deleted and replaced by its ReplicaSet, as a node drain or an eviction does now and then. */
export const reschedule: ActivityKind = {
  id: 'reschedule',
  needs: ['objects', 'pod-lifecycle'],
  alerts: [],
  plan(rng) {
    return { params: { pod: rng.next() } };
  },
  async run(action, ctx) {
    // A drain evicts through the Deployment's disruption budget: a workload with a pod already missing,
    // not ready or being replaced is left alone, so a second eviction never lands before the first
    // pod's replacement is up (cart's fresh pod deleted 2 s after the first refused every call to cart
    // in one run, an outage no routine drain causes), and a single replica is never evicted: its
    // replacement starting refused calls for long enough that callers' dependency alerts fired before
    // the fault (2 of 26 runs in session 16), an outage, not routine background.
    const eligible: KubeObject[] = [];
    for (const d of await eligibleDeployments(ctx, { instant: true }))
      if (await withinBudget(ctx, d)) eligible.push(d);
    const d = pickFrom(eligible, action.pick);
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
