import type { Deployment } from '../kube/typed-objects.js';
import { listKind } from '../kube/typed-reads.js';
import { waitFor } from '../util/wait-for.js';
import type { ObjectApi } from '../platform/object-api.js';

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

/**
 * Waits until every Deployment in the namespaces is rolled out (`kubectl rollout status` semantics);
 * the timeout error names each one still pending and why.
 */
export async function waitDeploymentsReady(
  objects: ObjectApi,
  namespaces: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  let pending: string[] = [];
  await waitFor(
    `Deployments in ${namespaces.join(', ')} to be ready`,
    async () => {
      pending = [];
      for (const ns of namespaces) {
        for (const d of await listKind(objects, 'Deployment', ns)) {
          const why = rolloutPending(d);
          if (why) pending.push(why);
        }
      }
      return pending.length === 0;
    },
    { timeoutMs, intervalMs: 500, signal, pending: () => pending },
  );
}
