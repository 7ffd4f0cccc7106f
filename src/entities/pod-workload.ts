/**
 * The workload a pod belongs to, from its name, as the controllers name pods on every substrate:
 * `<name>-<n>` (StatefulSets), `<name>-<pod-template-hash>-<5 chars>` (a Deployment's pods through its
 * ReplicaSet, and a CronJob's through the Job named `<cronjob>-<minute>`) or `<name>-<5 chars>` (a Job's
 * own pods, the suffix from the API server's generateName alphabet). Other names are returned whole.
 */
export function workloadOfPod(podName: string): string {
  for (const re of [STATEFUL_POD, CONTROLLER_POD, JOB_POD]) {
    const m = re.exec(podName);
    if (m) return m[1];
  }
  return podName;
}

/** Whether a pod of this name belongs to the named workload. */
export function podBelongsTo(podName: string, workload: string): boolean {
  return podName.startsWith(`${workload}-`) && workloadOfPod(podName) === workload;
}

const STATEFUL_POD = /^(.+)-\d+$/;
/**
 * The middle part is a hash or a Job's minute: it has a digit, or only the characters a hash is
 * encoded in, so a word in a Job's name ("seed-catalog-4xk2p") is not taken for one.
 */
const CONTROLLER_POD = /^(.+)-(?:(?=[a-z]*\d)[a-z0-9]{5,10}|[4-9bcdf]{5,10})-[a-z0-9]{5}$/;
const JOB_POD = /^(.+)-[bcdfghjklmnpqrstvwxz2456789]{5}$/;
