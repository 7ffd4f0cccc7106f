import { waitFor } from '../../util/wait-for.js';
import type { KubeObject } from '../../kube/kube-object.js';
import { isPodFinished, isPodReady, podPhaseOf } from '../../kube/pod-status.js';
import type { ObjectApi } from '../../platform/object-api.js';

/** Why a pod is not serving yet, or undefined when it is Running and Ready. */
export function podPending(p: KubeObject): string | undefined {
  const id = `${p.metadata.namespace}/Pod/${p.metadata.name}`;
  const phase = podPhaseOf(p);
  if (p.metadata.deletionTimestamp) return `${id} (terminating)`;
  if (phase !== 'Running') return `${id} (${phase ?? 'no phase yet'})`;
  if (!isPodReady(p)) return `${id} (not ready)`;
  return undefined;
}

/**
 * Waits until the pods named in `gone` no longer exist and every other pod of the namespace that is not
 * finished (a setup Job's, a CronJob's) is Running and Ready. After deleting pods, a Deployment's status can
 * still report the old replicas as available for a moment; this does not rely on it.
 */
export async function waitPodsReplaced(
  objects: ObjectApi,
  namespace: string,
  gone: readonly string[],
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  let pending: string[] = [];
  await waitFor(
    `pods in ${namespace} to be replaced and ready`,
    async () => {
      pending = [];
      for (const p of await objects.list('Pod', namespace)) {
        if (gone.includes(p.metadata.name)) pending.push(`${namespace}/Pod/${p.metadata.name} (still there)`);
        else if (!isPodFinished(p)) {
          const why = podPending(p);
          if (why) pending.push(why);
        }
      }
      return pending.length === 0;
    },
    { timeoutMs, intervalMs: 1000, signal, pending: () => pending },
  );
}
