import type { Deployment } from './typed-objects.js';

/** Why a Deployment is not rolled out yet, or undefined when it is. */
export function rolloutPending(d: Deployment): string | undefined {
  const want = d.spec?.replicas ?? 1;
  const st = d.status ?? {};
  const id = `${d.metadata.namespace}/Deployment/${d.metadata.name}`;
  if ((st.observedGeneration ?? 0) < (d.metadata.generation ?? 1)) return `${id} (change not yet observed)`;
  if ((st.updatedReplicas ?? 0) < want) return `${id} (${st.updatedReplicas ?? 0}/${want} updated)`;
  if ((st.replicas ?? 0) > want)
    return `${id} (${st.replicas} replicas, ${want} wanted: old pods terminating)`;
  if ((st.availableReplicas ?? 0) < want) return `${id} (${st.availableReplicas ?? 0}/${want} available)`;
  return undefined;
}
