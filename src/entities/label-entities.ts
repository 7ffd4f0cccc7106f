import type { Labels } from './labels.js';
import { tryParseEntityId, type EntityId } from './entity-id.js';

/**
 * Label keys that name an object, by the kind they name. `dependency` is the callee a client-side
 * metric measures (`http_client_requests_total{dependency="payment"}`): it names that Service.
 */
const LABEL_KINDS: ReadonlyArray<[label: string, kind: string]> = [
  ['pod', 'Pod'],
  ['deployment', 'Deployment'],
  ['replicaset', 'ReplicaSet'],
  ['statefulset', 'StatefulSet'],
  ['daemonset', 'DaemonSet'],
  ['service', 'Service'],
  ['dependency', 'Service'],
  ['configmap', 'ConfigMap'],
  ['secret', 'Secret'],
  ['persistentvolumeclaim', 'PersistentVolumeClaim'],
  ['horizontalpodautoscaler', 'HorizontalPodAutoscaler'],
  ['resourcequota', 'ResourceQuota'],
];

/**
 * Every entity a label set names: `namespace` plus pod/deployment/service/... (alerts, metrics), and
 * `node` for the cluster-scoped Node. Values that are not valid object names are skipped.
 */
export function labelEntities(labels: Labels): EntityId[] {
  const out = new Set<EntityId>();
  const ns = labels.namespace ?? labels.exported_namespace;
  if (ns) {
    for (const [key, kind] of LABEL_KINDS) {
      const name = labels[key];
      if (!name) continue;
      const p = tryParseEntityId(`${ns}/${kind}/${name}`);
      if (p.ok) out.add(p.id);
    }
  }
  if (labels.node) {
    const p = tryParseEntityId(`Node/${labels.node}`);
    if (p.ok) out.add(p.id);
  }
  return [...out];
}
