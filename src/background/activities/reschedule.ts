import type { ActivityKind } from '../activity-kind.js';
import { eligibleDeployments, livePodsOf, pickFrom } from '../eligible.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { asDeployment } from '../../kube/typed-objects.js';

/** Every desired replica available and none extra in flight: the budget allows one eviction. */
function fullyAvailable(d: KubeObject): boolean {
  const dep = asDeployment(d);
  const want = dep?.spec?.replicas ?? 1;
  const status = dep?.status;
  // No status yet (an object just applied, before its controller reported): nothing to judge by, so
  // the budget does not hold the drain back.
  if (!status) return want > 0;
  return want > 0 && (status.availableReplicas ?? 0) >= want && (status.replicas ?? want) <= want;
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
    // A drain evicts through the Deployment's disruption budget: a workload with a pod already missing
    // or not ready is left alone, so a second eviction never lands before the first pod's replacement is
    // up (cart's fresh pod deleted 2 s after the first refused every call to cart in one run, an outage
    // no routine drain causes). A single-replica Deployment is still drained, as a real one is.
    const d = pickFrom((await eligibleDeployments(ctx)).filter(fullyAvailable), action.pick);
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
