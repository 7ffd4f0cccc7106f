import type { ContainerStatus, KubeObject } from './kube-object.js';
import { asPod } from './typed-objects.js';

/** The pod's phase (Pending, Running...); undefined for a pod no status was written for yet, or another kind. */
export function podPhaseOf(pod: KubeObject): string | undefined {
  return asPod(pod)?.status?.phase;
}

/** Whether the pod ran to its end (Succeeded or Failed: a Job's pod, an evicted one). */
export function isPodFinished(pod: KubeObject): boolean {
  const phase = podPhaseOf(pod);
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Whether the pod's Ready condition is True (it receives Service traffic). */
export function isPodReady(pod: KubeObject): boolean {
  return asPod(pod)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The statuses of the pod's app containers; none before the kubelet reports them. */
export function containerStatusesOf(pod: KubeObject): ContainerStatus[] {
  return asPod(pod)?.status?.containerStatuses ?? [];
}

/** Whether any app container of the pod has restarted. */
export function hasRestarted(pod: KubeObject): boolean {
  return containerStatusesOf(pod).some((c) => (c.restartCount ?? 0) > 0);
}
