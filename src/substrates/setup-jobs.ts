import type { KubeObject } from '../kube/kube-object.js';
import type { ObjectApi } from '../platform/object-api.js';

/**
 * The Jobs the manifests themselves hold (db-migrate), as opposed to the runs CronJobs create. They set up
 * state a data store keeps: when a reset replaced that store's pod (an empty database again), they must run
 * again, and a finished Job re-applied unchanged does nothing. Deleting one (with its pods) and applying the
 * manifests again starts it afresh; the Deployments that wait on its work (inventory's readiness needs the
 * schema) then make the reset wait for it too.
 */
export async function rerunSetupJobs(
  objects: Pick<ObjectApi, 'delete' | 'apply'>,
  manifests: readonly KubeObject[],
): Promise<string[]> {
  const jobs = manifests.filter((o) => o.kind === 'Job');
  for (const job of jobs) await objects.delete('Job', job.metadata.namespace, job.metadata.name);
  for (const job of jobs) await objects.apply(structuredClone(job));
  return jobs.map((j) => j.metadata.name);
}
