import type { KubeObject } from '../../kube/kube-object.js';
import { asDeployment } from '../../kube/typed-objects.js';
import type { ObjectApi } from '../../platform/object-api.js';

/** A Deployment's `spec.selector.matchLabels`; `{}` when it has none. */
export function matchLabelsOf(deploy: KubeObject): Record<string, string> {
  return asDeployment(deploy)?.spec?.selector?.matchLabels ?? {};
}

/**
 * The pods a Deployment owns (those its selector's matchLabels select in its namespace) that are not
 * already terminating, in name order. A selector without matchLabels would list every pod of the
 * namespace: it selects none here instead.
 */
export async function livePodsOf(objects: ObjectApi, deploy: KubeObject): Promise<KubeObject[]> {
  const selector = matchLabelsOf(deploy);
  if (Object.keys(selector).length === 0) return [];
  return (await objects.list('Pod', deploy.metadata.namespace, selector))
    .filter((p) => !p.metadata.deletionTimestamp)
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/**
 * Deletes a Deployment's live pods (livePodsOf), as `kubectl delete pod` would, so its ReplicaSet starts
 * fresh ones: they read their Secrets again and every connection into them is a new one. Returns the
 * names deleted, in name order.
 */
export async function deletePodsOf(objects: ObjectApi, deploy: KubeObject): Promise<string[]> {
  const pods = await livePodsOf(objects, deploy);
  for (const p of pods) await objects.delete('Pod', p.metadata.namespace, p.metadata.name);
  return pods.map((p) => p.metadata.name);
}
