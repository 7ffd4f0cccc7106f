/** A Kubernetes kind firedrill knows, with the names kubectl accepts for it. */
export interface KindInfo {
  kind: string;
  namespaced: boolean;
  /** Lower-case short names and plural, as `kubectl api-resources` lists them. */
  aliases: readonly string[];
}

export const KINDS: readonly KindInfo[] = [
  { kind: 'Pod', namespaced: true, aliases: ['po', 'pods'] },
  { kind: 'Deployment', namespaced: true, aliases: ['deploy', 'deployments'] },
  { kind: 'ReplicaSet', namespaced: true, aliases: ['rs', 'replicasets'] },
  { kind: 'StatefulSet', namespaced: true, aliases: ['sts', 'statefulsets'] },
  { kind: 'DaemonSet', namespaced: true, aliases: ['ds', 'daemonsets'] },
  { kind: 'Job', namespaced: true, aliases: ['jobs'] },
  { kind: 'CronJob', namespaced: true, aliases: ['cj', 'cronjobs'] },
  { kind: 'Service', namespaced: true, aliases: ['svc', 'services'] },
  { kind: 'Endpoints', namespaced: true, aliases: ['ep'] },
  { kind: 'EndpointSlice', namespaced: true, aliases: ['endpointslices'] },
  { kind: 'Ingress', namespaced: true, aliases: ['ing', 'ingresses'] },
  { kind: 'NetworkPolicy', namespaced: true, aliases: ['netpol', 'networkpolicies'] },
  { kind: 'ConfigMap', namespaced: true, aliases: ['cm', 'configmaps'] },
  { kind: 'Secret', namespaced: true, aliases: ['secrets'] },
  { kind: 'ServiceAccount', namespaced: true, aliases: ['sa', 'serviceaccounts'] },
  { kind: 'PersistentVolumeClaim', namespaced: true, aliases: ['pvc', 'persistentvolumeclaims'] },
  { kind: 'ResourceQuota', namespaced: true, aliases: ['quota', 'resourcequotas'] },
  { kind: 'LimitRange', namespaced: true, aliases: ['limits', 'limitranges'] },
  { kind: 'HorizontalPodAutoscaler', namespaced: true, aliases: ['hpa', 'horizontalpodautoscalers'] },
  { kind: 'PodDisruptionBudget', namespaced: true, aliases: ['pdb', 'poddisruptionbudgets'] },
  { kind: 'Role', namespaced: true, aliases: ['roles'] },
  { kind: 'RoleBinding', namespaced: true, aliases: ['rolebindings'] },
  { kind: 'Event', namespaced: true, aliases: ['ev', 'events'] },
  { kind: 'Node', namespaced: false, aliases: ['no', 'nodes'] },
  { kind: 'Namespace', namespaced: false, aliases: ['ns', 'namespaces'] },
  { kind: 'PersistentVolume', namespaced: false, aliases: ['pv', 'persistentvolumes'] },
  { kind: 'StorageClass', namespaced: false, aliases: ['sc', 'storageclasses'] },
  { kind: 'ClusterRole', namespaced: false, aliases: ['clusterroles'] },
  { kind: 'ClusterRoleBinding', namespaced: false, aliases: ['clusterrolebindings'] },
  { kind: 'PriorityClass', namespaced: false, aliases: ['pc', 'priorityclasses'] },
];

const byName = new Map<string, KindInfo>();
for (const k of KINDS) {
  byName.set(k.kind.toLowerCase(), k);
  for (const a of k.aliases) byName.set(a, k);
}

/** Resolve a kind written any way kubectl accepts (case-insensitive, short name, plural). */
export function lookupKind(text: string): KindInfo | undefined {
  return byName.get(text.trim().toLowerCase());
}
