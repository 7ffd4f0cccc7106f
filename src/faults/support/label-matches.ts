import { labelsMatch } from '../../kube/kube-object.js';
import { podTemplateOf } from '../../kube/pod-template.js';
import type { ObjectApi } from '../../platform/object-api.js';

/**
 * What carries every label of `selector` in a namespace: the pods of a Deployment (by its pod template,
 * so pods it has yet to start count too), else a running pod. Undefined when nothing does. Faults that
 * rely on a selector matching nothing check it before their first change.
 */
export async function carriersOf(
  objects: ObjectApi,
  namespace: string | undefined,
  selector: Record<string, string>,
): Promise<string | undefined> {
  for (const d of await objects.list('Deployment', namespace)) {
    const labels = podTemplateOf(d)?.metadata?.labels;
    if (labelsMatch(selector, labels)) return `the pods of Deployment ${namespace ?? ''}/${d.metadata.name}`;
  }
  const pods = await objects.list('Pod', namespace, selector);
  return pods.length > 0 ? `pod ${namespace ?? ''}/${pods[0].metadata.name}` : undefined;
}

/** `k=v,k2=v2`, in the selector's own key order, for messages. */
export function showSelector(selector: Record<string, string>): string {
  return Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
