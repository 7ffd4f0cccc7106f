import { rolloutPending } from '../kube/rollout-status.js';
import { listKind } from '../kube/typed-reads.js';
import { waitFor } from '../util/wait-for.js';
import type { ObjectApi } from '../platform/object-api.js';

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
