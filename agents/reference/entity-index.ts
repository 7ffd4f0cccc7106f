import type { Labels, ObjectRecord } from '../../src/bundle/records.js';
import type { EntityId } from '../../src/entities/index.js';
import { idParts, makeId, selectorMatches, specOf, type LabelSelector, type PodTemplate } from './kube.js';
import type { Snapshot } from './read-snapshot.js';
import { isoMs } from './time.js';

/** A controller that runs pods an SRE would fix or roll back: Deployment, StatefulSet or DaemonSet. */
export interface Workload {
  id: EntityId;
  namespace: string;
  kind: string;
  name: string;
  object?: ObjectRecord;
  selector?: LabelSelector;
  template?: PodTemplate;
  /** Names telemetry uses for it: span service, metric `service`/`app` labels, log `service`. */
  telemetryNames: Set<string>;
}

export interface ReplicaSetInfo {
  id: EntityId;
  name: string;
  owner?: EntityId;
  revision?: number;
  created: number | null;
  replicas?: number;
  template?: PodTemplate;
}

const DEPLOYMENT_POD = /^[a-z0-9]{5,10}-[a-z0-9]{5}$/;
const NUMBERED_POD = /^\d+$/;
const SHORT_SUFFIX = /^[a-z0-9]{5}$/;
const RS_SUFFIX = /^[a-z0-9]{5,10}$/;
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/**
 * Joins every signal to the objects an SRE would name: which workload a pod, ReplicaSet, Service or
 * telemetry name belongs to, which configuration a workload reads, which nodes it runs on. Owner
 * references first, then topology edges and kube-state-metrics owners, then pod-name patterns
 * (`name-0` on the local substrate, `name-<hash>-<5>` in a cluster) for pods that are gone.
 */
export class EntityIndex {
  readonly byId = new Map<EntityId, ObjectRecord>();
  private readonly live = new Set<EntityId>();
  readonly workloads = new Map<EntityId, Workload>();
  readonly replicaSets = new Map<EntityId, ReplicaSetInfo>();
  readonly namespaces = new Set<string>();
  private readonly podOwner = new Map<EntityId, EntityId>();
  private readonly ownerEdges = new Map<EntityId, EntityId>();
  private readonly telemetry = new Map<string, Workload[]>();
  private readonly podWorkloadCache = new Map<EntityId, Workload | null>();
  private readonly podNode = new Map<EntityId, string>();

  /**
   * The snapshot records every change in the window and none touched this object: it is as it was before
   * the trouble, so it cannot be what changed.
   */
  unchangedInWindow(id: EntityId): boolean {
    return this.snap.historyRecorded === true && !this.snap.objectChanges.some((c) => c.entity === id);
  }

  constructor(private readonly snap: Snapshot) {
    for (const o of snap.objects) {
      const id = o.entity ?? makeId(o.metadata.namespace, o.kind, o.metadata.name);
      this.byId.set(id, o);
      this.live.add(id);
    }
    // Objects deleted during the window are still evidence (a Pod that was killed, a ReplicaSet rolled away).
    for (const c of snap.objectChanges) {
      if (c.object && !this.byId.has(c.entity) && c.object.metadata && typeof c.object.kind === 'string')
        this.byId.set(c.entity, c.object);
    }
    for (const e of snap.topology.edges) if (e.type === 'owns') this.ownerEdges.set(e.to, e.from);
    for (const e of snap.topology.edges)
      if (e.type === 'runs-on') this.podNode.set(e.from, idParts(e.to).name);

    for (const [id, o] of this.byId) {
      const ns = o.metadata.namespace;
      if (WORKLOAD_KINDS.has(o.kind) && ns) {
        const spec = specOf<{ selector?: LabelSelector; template?: PodTemplate }>(o);
        const w: Workload = {
          id,
          namespace: ns,
          kind: o.kind,
          name: o.metadata.name,
          object: o,
          selector: spec.selector,
          template: spec.template,
          telemetryNames: new Set([o.metadata.name]),
        };
        this.workloads.set(id, w);
        this.namespaces.add(ns);
      }
    }
    // A workload seen only in the topology (object missing) still gets an entry.
    for (const t of snap.topology.entities) {
      if (WORKLOAD_KINDS.has(t.kind) && t.namespace && !this.workloads.has(t.id)) {
        this.workloads.set(t.id, {
          id: t.id,
          namespace: t.namespace,
          kind: t.kind,
          name: t.name,
          telemetryNames: new Set([t.name]),
        });
        this.namespaces.add(t.namespace);
      }
    }
    for (const [id, o] of this.byId) {
      if (o.kind !== 'ReplicaSet') continue;
      const ann = o.metadata.annotations ?? {};
      const rev = Number(ann['deployment.kubernetes.io/revision']);
      const spec = specOf<{ replicas?: number; template?: PodTemplate }>(o);
      const ctrl =
        o.metadata.ownerReferences?.find((r) => r.controller !== false) ?? o.metadata.ownerReferences?.[0];
      const owner = ctrl ? makeId(o.metadata.namespace, ctrl.kind, ctrl.name) : this.ownerEdges.get(id);
      this.replicaSets.set(id, {
        id,
        name: o.metadata.name,
        owner:
          owner ?? this.workloadByNamePattern(o.metadata.namespace ?? '', o.metadata.name, RS_SUFFIX)?.id,
        revision: Number.isFinite(rev) && rev > 0 ? rev : undefined,
        created: isoMs(o.metadata.creationTimestamp),
        replicas: spec.replicas,
        template: spec.template,
      });
    }
    for (const w of this.workloads.values()) this.learnTelemetryNames(w);
    for (const w of this.workloads.values()) {
      for (const n of w.telemetryNames) {
        const list = this.telemetry.get(n) ?? [];
        list.push(w);
        this.telemetry.set(n, list);
      }
    }
    // kube-state-metrics names each pod's owner even after the pod object is gone.
    for (const m of snap.metrics) {
      if (m.name !== 'kube_pod_owner' && m.name !== 'kube_pod_info') continue;
      const ns = m.labels.namespace;
      const pod = m.labels.pod;
      const kind = m.labels.owner_kind ?? m.labels.created_by_kind;
      const name = m.labels.owner_name ?? m.labels.created_by_name;
      if (ns && pod && kind && name && kind !== '<none>')
        this.podOwner.set(makeId(ns, 'Pod', pod), makeId(ns, kind, name));
      if (ns && pod && m.labels.node) this.podNode.set(makeId(ns, 'Pod', pod), m.labels.node);
    }
  }

  get(id: EntityId): ObjectRecord | undefined {
    return this.byId.get(id);
  }

  /** Whether the object was there at capture (`get` also returns what the window saw deleted). */
  isLive(id: EntityId): boolean {
    return this.live.has(id);
  }

  objectsOfKind(kind: string): ObjectRecord[] {
    return [...this.byId.values()].filter((o) => o.kind === kind);
  }

  /** The workload that owns a Pod, ReplicaSet, Job pod, or is the entity itself. */
  workloadOf(id: EntityId | null | undefined): Workload | undefined {
    if (!id) return undefined;
    const w = this.workloads.get(id);
    if (w) return w;
    const p = idParts(id);
    if (p.kind === 'Pod') return this.workloadOfPod(id) ?? undefined;
    if (p.kind === 'ReplicaSet') {
      const rs = this.replicaSets.get(id);
      const owner = rs?.owner ?? this.ownerEdges.get(id);
      if (owner) return this.workloads.get(owner);
      return this.workloadByNamePattern(p.namespace ?? '', p.name, RS_SUFFIX);
    }
    if (p.kind === 'Service') return this.workloadsBehindService(id)[0];
    return undefined;
  }

  private workloadOfPod(podId: EntityId): Workload | null {
    const cached = this.podWorkloadCache.get(podId);
    if (cached !== undefined) return cached;
    let found: Workload | null = null;
    const o = this.byId.get(podId);
    const owner =
      (o?.metadata.ownerReferences?.[0] &&
        makeId(
          o.metadata.namespace,
          o.metadata.ownerReferences[0].kind,
          o.metadata.ownerReferences[0].name,
        )) ??
      this.ownerEdges.get(podId) ??
      this.podOwner.get(podId);
    if (owner) {
      const op = idParts(owner);
      if (op.kind === 'ReplicaSet') found = this.workloadOf(owner) ?? null;
      else if (op.kind === 'Job' || op.kind === 'CronJob') found = null;
      else found = this.workloads.get(owner) ?? null;
    }
    if (!found && !(owner && ['Job', 'CronJob'].includes(idParts(owner).kind))) {
      const p = idParts(podId);
      found = this.workloadByPodName(p.namespace ?? '', p.name) ?? null;
    }
    this.podWorkloadCache.set(podId, found);
    return found;
  }

  /** Is this pod run by a batch Job (background work that completes, not a service)? */
  isBatchPod(podId: EntityId): boolean {
    const o = this.byId.get(podId);
    const owner =
      o?.metadata.ownerReferences?.[0]?.kind ??
      idParts(this.ownerEdges.get(podId) ?? this.podOwner.get(podId) ?? 'x/x').kind;
    return owner === 'Job' || owner === 'CronJob';
  }

  workloadByPodName(ns: string, podName: string): Workload | undefined {
    return (
      this.workloadByNamePattern(ns, podName, DEPLOYMENT_POD) ??
      this.workloadByNamePattern(ns, podName, NUMBERED_POD) ??
      this.workloadByNamePattern(ns, podName, SHORT_SUFFIX)
    );
  }

  private workloadByNamePattern(ns: string, name: string, rest: RegExp): Workload | undefined {
    let best: Workload | undefined;
    for (const w of this.workloads.values()) {
      if (w.namespace !== ns || !name.startsWith(`${w.name}-`)) continue;
      if (!rest.test(name.slice(w.name.length + 1))) continue;
      if (!best || w.name.length > best.name.length) best = w;
    }
    return best;
  }

  /** The workload a telemetry service name (span service, metric label, peer.service) stands for. */
  workloadByTelemetry(name: string | undefined, ns?: string): Workload | undefined {
    if (!name) return undefined;
    const list = this.telemetry.get(name);
    if (list && list.length > 0) return (ns && list.find((w) => w.namespace === ns)) || list[0];
    for (const svc of this.objectsOfKind('Service')) {
      if (svc.metadata.name === name && (!ns || svc.metadata.namespace === ns)) {
        const behind = this.workloadsBehindService(svc.entity);
        if (behind.length > 0) return behind[0];
      }
    }
    return undefined;
  }

  private learnTelemetryNames(w: Workload): void {
    const labels = w.template?.metadata?.labels ?? w.object?.metadata.labels ?? {};
    for (const k of ['app.kubernetes.io/name', 'app', 'k8s-app', 'service'])
      if (labels[k]) w.telemetryNames.add(labels[k]);
    for (const c of w.template?.spec?.containers ?? []) {
      for (const e of c.env ?? []) {
        if (
          (e.name === 'SHOP_SERVICE' || e.name === 'OTEL_SERVICE_NAME' || e.name === 'SERVICE_NAME') &&
          e.value
        )
          w.telemetryNames.add(e.value);
      }
    }
  }

  /** Workloads whose pod template a Service's selector matches (what it should route to). */
  workloadsBehindService(serviceId: EntityId): Workload[] {
    const svc = this.byId.get(serviceId);
    if (!svc) return [];
    const sel = specOf<{ selector?: Labels }>(svc).selector;
    const ns = svc.metadata.namespace;
    if (!sel || Object.keys(sel).length === 0) return [];
    return [...this.workloads.values()].filter(
      (w) => w.namespace === ns && selectorMatches(sel, w.template?.metadata?.labels),
    );
  }

  /** The Service(s) that route to a workload, and the Service named like it (what callers dial). */
  servicesOf(w: Workload): ObjectRecord[] {
    const out: ObjectRecord[] = [];
    for (const svc of this.objectsOfKind('Service')) {
      if (svc.metadata.namespace !== w.namespace) continue;
      const sel = specOf<{ selector?: Labels }>(svc).selector;
      const selects =
        !!sel && Object.keys(sel).length > 0 && selectorMatches(sel, w.template?.metadata?.labels);
      if (selects || w.telemetryNames.has(svc.metadata.name)) out.push(svc);
    }
    return out;
  }

  /** ReplicaSets of a workload, oldest revision first. */
  replicaSetsOf(w: Workload): ReplicaSetInfo[] {
    return [...this.replicaSets.values()]
      .filter((rs) => rs.owner === w.id)
      .sort(
        (a, b) =>
          (a.revision ?? 0) - (b.revision ?? 0) ||
          (a.created ?? 0) - (b.created ?? 0) ||
          a.name.localeCompare(b.name),
      );
  }

  /** ConfigMaps, Secrets and PVCs a workload reads, from its templates (every revision) and its pods' edges. */
  configOf(w: Workload): Set<EntityId> {
    const out = new Set<EntityId>();
    const templates = [w.template, ...this.replicaSetsOf(w).map((r) => r.template)];
    for (const t of templates) for (const id of templateRefs(t, w.namespace)) out.add(id);
    for (const e of this.snap.topology.edges) {
      if (e.type === 'uses' && this.workloadOf(e.from)?.id === w.id) out.add(e.to);
    }
    return out;
  }

  /** Workloads that read a ConfigMap, Secret or PVC. */
  usersOf(configId: EntityId): Workload[] {
    return [...this.workloads.values()].filter((w) => this.configOf(w).has(configId));
  }

  nodeOfPod(podId: EntityId): string | undefined {
    const o = this.byId.get(podId);
    return specOf<{ nodeName?: string }>(o).nodeName ?? this.podNode.get(podId);
  }

  /** The workloads whose pod templates a label selector (NetworkPolicy, quota scope...) matches. */
  workloadsSelected(
    ns: string | undefined,
    sel: LabelSelector | undefined,
    emptyMatchesAll: boolean,
  ): Workload[] {
    return [...this.workloads.values()].filter(
      (w) =>
        (!ns || w.namespace === ns) && selectorMatches(sel, w.template?.metadata?.labels, emptyMatchesAll),
    );
  }

  /** Call edges the topology records (caller workload → workload behind the called Service). */
  snapshotCalls(): Array<{ from: EntityId; to: EntityId }> {
    const out: Array<{ from: EntityId; to: EntityId }> = [];
    for (const e of this.snap.topology.edges) {
      if (e.type !== 'calls') continue;
      const from = this.workloadOf(e.from);
      if (!from) continue;
      const p = idParts(e.to);
      const to =
        p.kind === 'Service'
          ? (this.workloadsBehindService(e.to)[0] ?? this.workloadByTelemetry(p.name, p.namespace))
          : this.workloadOf(e.to);
      if (to && to.id !== from.id) out.push({ from: from.id, to: to.id });
    }
    return out;
  }

  /** Every pod id the snapshot mentions (objects, topology, events, logs, spans, metrics). */
  knownPods(): Set<EntityId> {
    const out = new Set<EntityId>();
    for (const [id, o] of this.byId) if (o.kind === 'Pod') out.add(id);
    for (const t of this.snap.topology.entities) if (t.kind === 'Pod') out.add(t.id);
    for (const e of this.snap.events) if (e.involvedObject?.kind === 'Pod' && e.entity) out.add(e.entity);
    for (const p of this.snap.logs.buckets.keys()) out.add(p);
    for (const id of this.podOwner.keys()) out.add(id);
    return out;
  }
}

/** ConfigMaps, Secrets and PVCs a pod template refers to (volumes, env, envFrom). */
export function templateRefs(t: PodTemplate | undefined, ns: string): EntityId[] {
  const out: EntityId[] = [];
  const spec = t?.spec;
  if (!spec) return out;
  for (const v of spec.volumes ?? []) {
    if (v.configMap?.name) out.push(makeId(ns, 'ConfigMap', v.configMap.name));
    if (v.secret?.secretName) out.push(makeId(ns, 'Secret', v.secret.secretName));
    if (v.persistentVolumeClaim?.claimName)
      out.push(makeId(ns, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName));
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) out.push(makeId(ns, 'ConfigMap', s.configMap.name));
      if (s.secret?.name) out.push(makeId(ns, 'Secret', s.secret.name));
    }
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef?.name) out.push(makeId(ns, 'Secret', e.valueFrom.secretKeyRef.name));
      if (e.valueFrom?.configMapKeyRef?.name)
        out.push(makeId(ns, 'ConfigMap', e.valueFrom.configMapKeyRef.name));
    }
    for (const e of c.envFrom ?? []) {
      if (e.secretRef?.name) out.push(makeId(ns, 'Secret', e.secretRef.name));
      if (e.configMapRef?.name) out.push(makeId(ns, 'ConfigMap', e.configMapRef.name));
    }
  }
  return out;
}
