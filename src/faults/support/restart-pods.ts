import type { KubeObject } from '../../kube/kube-object.js';
import type { ObjectApi } from '../../substrates/object-api.js';

/**
 * Deletes the pods a Deployment owns (those its selector's matchLabels select in its namespace), as
 * `kubectl delete pod` would, so its ReplicaSet starts fresh ones: they read their Secrets again and
 * every connection into them is a new one. Pods already terminating are skipped. Returns the names
 * deleted, in name order.
 */
export async function deletePodsOf(objects: ObjectApi, deploy: KubeObject): Promise<string[]> {
  const selector = (deploy.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)
    ?.selector?.matchLabels;
  // A selector without matchLabels would list every pod of the namespace: delete nothing rather than that.
  if (!selector || Object.keys(selector).length === 0) return [];
  const pods = (await objects.list('Pod', deploy.metadata.namespace, selector))
    .filter((p) => !p.metadata.deletionTimestamp)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  for (const p of pods) await objects.delete('Pod', p.metadata.namespace, p.metadata.name);
  return pods.map((p) => p.metadata.name);
}
