import { listKind } from '../kube/typed-reads.js';
import { runsDataStore } from '../platform/data-stores.js';
import type { ObjectApi } from '../platform/object-api.js';
import { waitFor } from '../util/wait-for.js';

const ownerDeployment = (o: { metadata: { ownerReferences?: Array<{ kind: string; name: string }> } }) =>
  o.metadata.ownerReferences?.find((r) => r.kind === 'Deployment')?.name;

/**
 * Deletes every Deployment of `namespace` that holds no data, with its ReplicaSets and pods, and waits
 * until those ReplicaSets are collected, so that applying the manifests next deploys each afresh. Runs
 * follow each other on one substrate, and what a run leaves in a Deployment it kept would show in the
 * next one's snapshot as history that points at its own answer: the previous repeat's ReplicaSet with
 * the faulty template, request counters still holding its errors, a revision and generation that grow
 * with every fault a workload took. Afresh, every run's app is the same age and shape; the history an
 * agent reads is this run's own (background rollouts from the warmup on). Data stores keep their pods
 * (their data), only their history is pruned (`pruneReplicaSetHistory`).
 */
export async function removeStatelessDeployments(
  objects: ObjectApi,
  namespace: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<string[]> {
  const removed: string[] = [];
  for (const d of await listKind(objects, 'Deployment', namespace)) {
    if (runsDataStore(d)) continue;
    await objects.delete('Deployment', namespace, d.metadata.name);
    removed.push(d.metadata.name);
  }
  if (removed.length === 0) return removed;
  // A ReplicaSet of the old Deployment still being collected would make the new one's controller pick
  // another name for its own (a hash collision), so wait for the garbage collector.
  let left: string[] = [];
  await waitFor(
    `the ReplicaSets of ${removed.length} deleted Deployment(s) in ${namespace} to be collected`,
    async () => {
      left = (await objects.list('ReplicaSet', namespace))
        .filter((rs) => removed.includes(ownerDeployment(rs) ?? ''))
        .map((rs) => rs.metadata.name);
      return left.length === 0;
    },
    { timeoutMs, intervalMs: 500, signal, pending: () => left },
  );
  return removed;
}

/**
 * Deletes the ReplicaSets scaled to zero (old revisions) of the namespace's Deployments: for the data
 * stores, which `removeStatelessDeployments` keeps, the only trace of what earlier runs rolled out.
 */
export async function pruneReplicaSetHistory(objects: ObjectApi, namespace: string): Promise<string[]> {
  const pruned: string[] = [];
  for (const rs of await listKind(objects, 'ReplicaSet', namespace)) {
    if (ownerDeployment(rs) === undefined || (rs.spec?.replicas ?? 0) > 0) continue;
    if ((rs.status?.replicas ?? 0) > 0) continue;
    await objects.delete('ReplicaSet', namespace, rs.metadata.name);
    pruned.push(rs.metadata.name);
  }
  return pruned;
}

/**
 * Deletes the Events of the namespaces. A cluster forgets an Event an hour after its last occurrence; runs
 * follow each other within minutes, so without this an Event of an earlier run would be counted again in
 * the next one (`count: 2`, its first time in another run, which the snapshot dates months back).
 */
export async function clearEvents(objects: ObjectApi, namespaces: readonly string[]): Promise<number> {
  let n = 0;
  for (const ns of namespaces)
    for (const e of await objects.list('Event', ns))
      if (await objects.delete('Event', ns, e.metadata.name)) n++;
  return n;
}
