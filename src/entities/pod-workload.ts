/**
 * The workload a pod belongs to, from its name: `<name>-<n>` (StatefulSets) or
 * `<name>-<pod-template-hash>-<5 chars>` (a Deployment's pods, as the ReplicaSet controller names them on
 * every substrate). Other names are returned whole.
 */
export function workloadOfPod(podName: string): string {
  const m = POD_NAME.exec(podName);
  return m ? m[1] : podName;
}

/** Whether a pod of this name belongs to the named workload. */
export function podBelongsTo(podName: string, workload: string): boolean {
  return podName.startsWith(`${workload}-`) && workloadOfPod(podName) === workload;
}

const POD_NAME = /^(.+)-(?:\d+|[a-z0-9]{5,10}-[a-z0-9]{5})$/;
