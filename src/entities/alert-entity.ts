import type { EntityId } from './entity-id.js';
import type { Labels } from './labels.js';

/**
 * Label keys of the kube-state-metrics alerts that name an object other than a pod, a Deployment or a
 * Service, in the order an alert's subject is read: a quota or an autoscaler alert is about that object.
 */
const OTHER_SUBJECTS: ReadonlyArray<[label: string, kind: string]> = [
  ['statefulset', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['horizontalpodautoscaler', 'HorizontalPodAutoscaler'],
  ['resourcequota', 'ResourceQuota'],
  ['persistentvolumeclaim', 'PersistentVolumeClaim'],
];

/**
 * The entity an alert points at, from its labels: pod, then deployment, then a StatefulSet, DaemonSet,
 * HorizontalPodAutoscaler, ResourceQuota or PersistentVolumeClaim, then service, then a Job.
 */
export function alertEntity(labels: Labels): EntityId | undefined {
  const ns = labels.namespace;
  if (!ns) return undefined;
  if (labels.pod) return `${ns}/Pod/${labels.pod}`;
  if (labels.deployment) return `${ns}/Deployment/${labels.deployment}`;
  for (const [label, kind] of OTHER_SUBJECTS) if (labels[label]) return `${ns}/${kind}/${labels[label]}`;
  if (labels.service) return `${ns}/Service/${labels.service}`;
  // kube-state-metrics names a Job `job_name` (`job` is the scrape job).
  if (labels.job_name) return `${ns}/Job/${labels.job_name}`;
  return undefined;
}
