import type { EntityId } from './entity-id.js';
import type { Labels } from './labels.js';

/** The entity an alert points at, from its labels: pod, then deployment, then service, then a Job. */
export function alertEntity(labels: Labels): EntityId | undefined {
  const ns = labels.namespace;
  if (!ns) return undefined;
  if (labels.pod) return `${ns}/Pod/${labels.pod}`;
  if (labels.deployment) return `${ns}/Deployment/${labels.deployment}`;
  if (labels.service) return `${ns}/Service/${labels.service}`;
  // kube-state-metrics names a Job `job_name` (`job` is the scrape job).
  if (labels.job_name) return `${ns}/Job/${labels.job_name}`;
  return undefined;
}
