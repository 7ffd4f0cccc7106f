import { containersOf } from '../../kube/containers.js';
import { podSpecOf } from '../../kube/pod-template.js';
import type { KubeObject } from '../../kube/kube-object.js';
import type { ActivityKind } from '../activity-kind.js';
import { eligibleDeployments, livePodsOf, pickFrom, serviceOf } from '../eligible.js';
import { holdSetting } from './setting-blip.js';

function livenessPath(d: KubeObject): string | undefined {
  for (const c of containersOf(podSpecOf(d))) {
    const path = c.livenessProbe?.httpGet?.path;
    if (path) return path;
  }
  return undefined;
}

/**
 * History every long-running cluster has: a container restarted by its liveness probe. One pod's health
 * endpoint answers slower than the probe's timeout for long enough that the kubelet gives up
 * (`Unhealthy` Warnings, `Killing … failed liveness probe, will be restarted`), the container restarts and
 * comes back healthy: the pod keeps `restartCount: 1` and its `lastState`. Planned from the start of the
 * warmup, so it is as often history before the window as a blip inside it. The setting is cleared before
 * the restarted container's probes could fail three times again.
 */
export const probeRestart: ActivityKind = {
  id: 'probe-restart',
  // Liveness probes run on both substrates' kubelets (the local one too, which leaves the probe
  // *misconfiguration* faults to a real kubelet and so does not claim `probes`).
  needs: ['objects', 'settings', 'pod-lifecycle'],
  alerts: [],
  from: 'warmup',
  plan(rng) {
    // The shop's probes time out after 2 s, every 10 s, three failures: killed 20–32 s in, restarted at once.
    return {
      durationMs: rng.int(36, 42) * 1000,
      params: { ms: rng.pick([3000, 5000, 8000]), pod: rng.next() },
    };
  },
  async run(action, ctx) {
    // One pod of a workload with another one serving: a single replica restarting is a short outage, and
    // its callers' dependency alert fired (frontend → catalog within 10 s of the restart), so the
    // history would have been an incident of its own.
    const candidates: Array<{ d: KubeObject; pods: KubeObject[] }> = [];
    for (const d of await eligibleDeployments(ctx, { withService: true })) {
      if (livenessPath(d) === undefined || ctx.heldSettings.has(`${serviceOf(d) ?? ''}.latency`)) continue;
      const pods = await livePodsOf(ctx, d);
      if (pods.length >= 2) candidates.push({ d, pods });
    }
    const picked = pickFrom(candidates, action.pick);
    const d = picked?.d;
    const service = d && serviceOf(d);
    const path = d && livenessPath(d);
    if (!picked || !d || !service || !path)
      return { target: null, detail: 'no Deployment with an HTTP liveness probe and two running pods' };
    const pod = pickFrom(picked.pods, Number(action.params.pod));
    if (!pod) return { target: null, detail: `no running pod of ${d.metadata.name}` };
    const undo = await holdSetting(ctx, `${service}.latency`, {
      ms: Number(action.params.ms),
      probability: 1,
      route: path,
      pod: pod.metadata.name,
    });
    return {
      target: `${ctx.namespace}/Pod/${pod.metadata.name}`,
      detail: `${path} answered after ${Number(action.params.ms) / 1000} s until the liveness probe restarted the container`,
      undo,
    };
  },
};
