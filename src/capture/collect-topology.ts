// db.system is incubating (deprecated for db.system.name); the shop sends both, older instrumentations
// only db.system.
import { ATTR_DB_SYSTEM, ATTR_PEER_SERVICE } from '@opentelemetry/semantic-conventions/incubating';
import type { SpanRecord, Topology, TopologyEdge, TopologyEntity } from '../bundle/records.js';
import { containersOf } from '../kube/containers.js';
import { labelsMatch, objectKey, type KubeObject } from '../kube/kube-object.js';
import { envKeyRefsOf, volumeRefsOf } from '../kube/pod-references.js';
import { podTemplateOf } from '../kube/pod-template.js';
import { asHorizontalPodAutoscaler, asNetworkPolicy, asPod, asService } from '../kube/typed-objects.js';

/**
 * Workloads a Service fronts through their pod template: the edge holds with no pod running (scaled to
 * zero, every pod Pending or evicted), when a pod-level `selects` edge alone would cut the Service off
 * from the Deployment it serves. ReplicaSets and Jobs are left out: a Deployment's old ReplicaSets
 * carry the same labels, and a Service in front of a Job is not an SRE's picture.
 */
const FRONTED_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export const TOPOLOGY_KINDS = [
  'Namespace',
  'Node',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'CronJob',
  'Job',
  'Pod',
  'Service',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'HorizontalPodAutoscaler',
] as const;

/**
 * Entities and their relations as an SRE would draw them: ownership (Deployment → ReplicaSet → Pod),
 * selection (Service → Pod, and Service → the workload whose pod template it matches), configuration
 * (Pod → ConfigMap/Secret), placement (Pod → Node) and the calls seen in traces (Deployment → Service it
 * calls).
 */
export function buildTopology(objects: KubeObject[], spans: SpanRecord[]): Topology {
  const entities: TopologyEntity[] = [];
  const edges: TopologyEdge[] = [];
  const ids = new Set<string>();
  for (const o of objects) {
    const id = objectKey(o);
    ids.add(id);
    entities.push({
      id,
      kind: o.kind,
      name: o.metadata.name,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      ...(o.metadata.labels ? { labels: o.metadata.labels } : {}),
    });
  }
  const add = (from: string, to: string, type: TopologyEdge['type']): void => {
    if (ids.has(from) && ids.has(to)) edges.push({ from, to, type });
  };
  // A ConfigMap, Secret or claim a pod refers to is part of the picture even when it does not exist (deleted,
  // never created): `kubectl describe pod` names it, and harm travels from it all the same.
  const referenced = (pod: string, ref: { kind: string; name: string }, ns: string | undefined): void => {
    const id = `${ns}/${ref.kind}/${ref.name}`;
    if (!ids.has(id)) {
      ids.add(id);
      entities.push({ id, kind: ref.kind, name: ref.name, ...(ns ? { namespace: ns } : {}) });
    }
    add(pod, id, 'uses');
  };
  for (const o of objects) {
    const id = objectKey(o);
    const ns = o.metadata.namespace;
    for (const ref of o.metadata.ownerReferences ?? []) add(`${ns}/${ref.kind}/${ref.name}`, id, 'owns');
    const service = asService(o);
    if (service) {
      const sel = service.spec?.selector;
      for (const p of objects) {
        if (p.metadata.namespace !== ns) continue;
        if (p.kind === 'Pod' && labelsMatch(sel, p.metadata.labels)) add(id, objectKey(p), 'selects');
        else if (FRONTED_KINDS.has(p.kind) && labelsMatch(sel, podTemplateOf(p)?.metadata?.labels))
          add(id, objectKey(p), 'selects');
      }
    }
    const policy = asNetworkPolicy(o);
    if (policy) {
      const sel = policy.spec?.podSelector?.matchLabels;
      // Unlike a Service's, an empty podSelector selects every pod of the namespace.
      const all = !sel || Object.keys(sel).length === 0;
      for (const p of objects) {
        if (p.kind === 'Pod' && p.metadata.namespace === ns && (all || labelsMatch(sel, p.metadata.labels)))
          add(id, objectKey(p), 'selects');
      }
    }
    if (o.kind === 'LimitRange')
      for (const w of objects)
        if (w.metadata.namespace === ns && FRONTED_KINDS.has(w.kind)) add(id, objectKey(w), 'limits');
    const ref = asHorizontalPodAutoscaler(o)?.spec?.scaleTargetRef;
    if (ref) add(id, `${ns}/${ref.kind}/${ref.name}`, 'scales');
    const pod = asPod(o);
    if (pod) {
      const spec = pod.spec;
      if (spec?.nodeName) add(id, `Node/${spec.nodeName}`, 'runs-on');
      for (const v of volumeRefsOf(spec)) referenced(id, v, ns);
      for (const c of containersOf(spec)) for (const r of envKeyRefsOf(c)) referenced(id, r, ns);
    }
  }
  // Calls: a client span's service calls the service of its child server span.
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const calls = new Set<string>();
  for (const s of spans) {
    // A data store (db.system) or a broker (producer/consumer spans) is named by peer.service: the
    // service calls its Service. A consumer's parent is the publisher, but that is no call between them.
    const store =
      s.attributes[ATTR_DB_SYSTEM] !== undefined || s.kind === 'producer' || s.kind === 'consumer';
    if (store) {
      const peer = s.attributes[ATTR_PEER_SERVICE];
      if (typeof peer === 'string' && s.entity) {
        const ns = s.entity.split('/')[0];
        add(`${ns}/Deployment/${s.service}`, `${ns}/Service/${peer}`, 'calls');
      }
      continue;
    }
    const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    if (!parent || parent.service === s.service) continue;
    const ns = (s.entity ?? parent.entity ?? '').split('/')[0];
    if (!ns) continue;
    const key = `${ns}/Deployment/${parent.service}|${ns}/Service/${s.service}`;
    if (calls.has(key)) continue;
    calls.add(key);
    add(`${ns}/Deployment/${parent.service}`, `${ns}/Service/${s.service}`, 'calls');
  }
  const dedup = new Map(edges.map((e) => [`${e.from}|${e.to}|${e.type}`, e]));
  return {
    entities: entities.sort((a, b) => a.id.localeCompare(b.id)),
    edges: [...dedup.values()].sort(
      (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.type.localeCompare(b.type),
    ),
  };
}
