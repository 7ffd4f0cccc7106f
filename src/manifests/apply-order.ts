import type { K8sObject } from './k8s-object.js';

/**
 * Kinds in the order they must exist: namespaces before anything in them, configuration before the
 * workloads that mount it, Services before Deployments so the first pods already resolve their peers, and
 * batch jobs last, after the services they call.
 */
const ORDER = [
  'Namespace',
  'ServiceAccount',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
];

/** A stable copy of `objects` sorted for creation; kinds not listed go last, in their original order. */
export function applyOrder<T extends Pick<K8sObject, 'kind'>>(objects: readonly T[]): T[] {
  const rank = (kind: string): number => {
    const i = ORDER.indexOf(kind);
    return i < 0 ? ORDER.length : i;
  };
  return objects
    .map((o, i) => ({ o, i }))
    .sort((a, b) => rank(a.o.kind) - rank(b.o.kind) || a.i - b.i)
    .map((x) => x.o);
}
