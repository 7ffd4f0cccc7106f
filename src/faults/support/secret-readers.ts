import { allContainersOf } from '../../kube/containers.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { envFromRefsOf, envKeyRefsOf, volumeRefsOf } from '../../kube/pod-references.js';
import { podSpecOf } from '../../kube/pod-template.js';
import type { ObjectApi } from '../../platform/object-api.js';

/**
 * Whether the Deployment's pods read the Secret when they start: a secretKeyRef to it (to `key`, when
 * given), envFrom or a volume of the Secret. Pods read it only then, so a change or a deletion reaches a
 * reader at its next restart.
 */
export function readsSecret(deploy: KubeObject, secret: string, key?: string): boolean {
  const spec = podSpecOf(deploy);
  const isSecret = (r: { kind: string; name: string }): boolean => r.kind === 'Secret' && r.name === secret;
  return (
    allContainersOf(spec).some(
      (c) =>
        envKeyRefsOf(c).some((r) => isSecret(r) && (key === undefined || r.key === key)) ||
        envFromRefsOf(c).some(isSecret),
    ) || volumeRefsOf(spec).some(isSecret)
  );
}

/** The Deployments of the namespace that read the Secret (readsSecret), in name order. */
export async function secretReaders(
  objects: ObjectApi,
  namespace: string | undefined,
  secret: string,
  key?: string,
): Promise<KubeObject[]> {
  return (await objects.list('Deployment', namespace))
    .filter((d) => readsSecret(d, secret, key))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}
