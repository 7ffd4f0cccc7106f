import { mode } from '../change-point.js';
import type { Labels, ObjectRecord } from '../../../src/bundle/records.js';
import type { EntityId } from '../../../src/entities/index.js';
import { shortId } from '../edge-blame.js';
import type { EntityIndex, Workload } from '../entity-index.js';
import {
  emptyEvidence,
  suspectAdder,
  type AddSuspect,
  type Evidence,
  type SymptomKind,
} from '../evidence.js';
import {
  makeId,
  quantity,
  selectorMatches,
  specOf,
  statusOf,
  type LabelSelector,
  type ProbeSpec,
} from '../kube.js';
import type { Snapshot } from '../read-snapshot.js';

const REACH: SymptomKind[] = ['unreachable', 'not-ready', 'errors', 'unavailable', 'latency'];

/**
 * Objects that contradict each other, whenever that started: many Kubernetes-only faults leave no
 * error of their own and show only as a misconfiguration. A Service whose selector matches no pod
 * template or whose targetPort no container serves; a NetworkPolicy admitting no pod; a node selector
 * no node satisfies; a claim, ConfigMap or Secret that is referenced but missing; a config file that does
 * not parse; an autoscaler capped below its target's size; a quota used up; cordoned nodes; probes on a
 * port the container does not declare or a path that answers 404.
 */
export function misconfigSignal(snap: Snapshot, index: EntityIndex): Evidence {
  const ev = emptyEvidence();
  const add = suspectAdder(ev, 'misconfig', null);
  const appNs = index.namespaces;
  const pods = index.objectsOfKind('Pod');

  for (const svc of index.objectsOfKind('Service')) {
    const ns = svc.metadata.namespace ?? '';
    if (!appNs.has(ns)) continue;
    const spec = specOf<{
      selector?: Labels;
      ports?: Array<{ port?: number; targetPort?: number | string; name?: string }>;
      type?: string;
    }>(svc);
    const sel = spec.selector;
    if (!sel || Object.keys(sel).length === 0 || spec.type === 'ExternalName') continue;
    const behind = index.workloadsBehindService(svc.entity);
    const podsMatch = pods.some(
      (p) => p.metadata.namespace === ns && selectorMatches(sel, p.metadata.labels),
    );
    if (behind.length === 0 && !podsMatch) {
      const intended = intendedWorkloads(svc, sel, index);
      add(
        svc.entity,
        0.9,
        intended.map((w) => w.id),
        REACH,
        `selector ${JSON.stringify(sel)} matches no pod template and no pod${intended.length ? `; ${intended.map((w) => shortId(w.id)).join(', ')} carries all but part of it` : ''}`,
        true,
      );
      continue;
    }
    for (const p of spec.ports ?? []) {
      const tp = p.targetPort ?? p.port;
      if (tp === undefined) continue;
      const serving = behind.filter((w) => servesPort(w, tp));
      const declaring = behind.filter((w) =>
        (w.template?.spec?.containers ?? []).some((c) => (c.ports ?? []).length > 0),
      );
      if (declaring.length > 0 && serving.length === 0)
        add(
          svc.entity,
          0.9,
          behind.map((w) => w.id),
          REACH,
          `port ${p.port ?? '?'} targets ${tp}, which no container of ${behind.map((w) => shortId(w.id)).join(', ')} declares (they serve ${containerPorts(behind).join(', ')})`,
          true,
        );
    }
  }

  for (const np of index.objectsOfKind('NetworkPolicy')) {
    const ns = np.metadata.namespace ?? '';
    if (!appNs.has(ns)) continue;
    const spec = specOf<{
      podSelector?: LabelSelector;
      policyTypes?: string[];
      ingress?: Array<{
        from?: Array<{ podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: unknown }>;
      }>;
    }>(np);
    const types = spec.policyTypes ?? ['Ingress'];
    if (!types.includes('Ingress')) continue;
    const selected = index.workloadsSelected(ns, spec.podSelector, true);
    if (selected.length === 0) continue;
    const rules = spec.ingress ?? [];
    const admitsNobody =
      rules.length === 0 ||
      rules.every(
        (r) =>
          r.from !== undefined &&
          r.from.length > 0 &&
          r.from.every(
            (f) =>
              !f.ipBlock &&
              !f.namespaceSelector &&
              !!f.podSelector &&
              !podOrTemplateMatches(ns, f.podSelector, index, pods),
          ),
      );
    if (!admitsNobody) continue;
    add(
      np.entity,
      0.8,
      selected.map((w) => w.id),
      ['unreachable', 'errors', 'not-ready', 'latency', 'auth'],
      `allows ingress to ${selected.map((w) => shortId(w.id)).join(', ')} only from pods no workload runs (${rules.length === 0 ? 'no rule at all' : JSON.stringify(rules[0]?.from?.[0]?.podSelector ?? {})})`,
      true,
    );
  }

  const nodes = index.objectsOfKind('Node');
  const cordoned = nodes.filter((n) => specOf<{ unschedulable?: boolean }>(n).unschedulable);
  for (const n of cordoned)
    add(
      n.entity,
      cordoned.length === nodes.length ? 0.6 : 0.35,
      [],
      ['pending', 'unavailable', 'unreachable'],
      `cordoned: spec.unschedulable${cordoned.length === nodes.length ? ' (every node is)' : ''}`,
    );
  for (const n of nodes) {
    const ready = (
      statusOf<{ conditions?: Array<{ type?: string; status?: string }> }>(n).conditions ?? []
    ).find((c) => c.type === 'Ready');
    if (ready && ready.status !== 'True')
      add(
        n.entity,
        0.6,
        [],
        ['pending', 'unavailable', 'unreachable', 'crash', 'not-ready'],
        `node not Ready (${ready.status})`,
      );
  }

  for (const w of index.workloads.values()) {
    if (!appNs.has(w.namespace)) continue;
    workloadChecks(w, snap, index, nodes, add);
    rolloutState(w, add);
  }
  outliers(index, add);

  for (const cm of index.objectsOfKind('ConfigMap')) {
    if (!appNs.has(cm.metadata.namespace ?? '')) continue;
    for (const [key, text] of Object.entries(cm.data ?? {})) {
      const bad = unparsable(key, text);
      if (!bad) continue;
      const users = index.usersOf(cm.entity);
      add(
        cm.entity,
        0.75,
        users.map((u) => u.id),
        ['config', 'crash', 'errors', 'not-ready'],
        `key ${key} does not parse (${bad}); read by ${users.map((u) => shortId(u.id)).join(', ') || 'no workload'}`,
      );
    }
  }

  for (const q of index.objectsOfKind('ResourceQuota')) {
    const st = statusOf<{ hard?: Record<string, string | number>; used?: Record<string, string | number> }>(
      q,
    );
    const full = Object.keys(st.hard ?? {}).filter((k) => {
      const h = quantity(st.hard?.[k]);
      const u = quantity(st.used?.[k]);
      return h !== undefined && u !== undefined && u >= h;
    });
    if (full.length === 0) continue;
    const ns = q.metadata.namespace;
    add(
      q.entity,
      0.45,
      [...index.workloads.values()].filter((x) => x.namespace === ns).map((x) => x.id),
      ['unavailable', 'pending'],
      `fully used: ${full.map((k) => `${k} ${st.used?.[k]}/${st.hard?.[k]}`).join(', ')}`,
    );
  }

  for (const h of index.objectsOfKind('HorizontalPodAutoscaler')) {
    const spec = specOf<{ maxReplicas?: number; scaleTargetRef?: { kind?: string; name?: string } }>(h);
    const st = statusOf<{ currentReplicas?: number; desiredReplicas?: number }>(h);
    const ref = spec.scaleTargetRef;
    if (!ref?.kind || !ref.name || spec.maxReplicas === undefined) continue;
    const target = makeId(h.metadata.namespace, ref.kind, ref.name);
    const ran = maxReplicasSeen(target, snap, index);
    if (ran !== undefined && spec.maxReplicas < ran)
      add(
        h.entity,
        0.7,
        [target],
        ['unavailable', 'saturation', 'latency', 'errors', 'not-ready'],
        `maxReplicas ${spec.maxReplicas} is below the ${ran} replicas ${shortId(target)} ran in the window`,
        true,
      );
    else if (st.currentReplicas !== undefined && st.currentReplicas >= spec.maxReplicas)
      add(
        h.entity,
        0.25,
        [target],
        ['saturation', 'latency', 'errors'],
        `at its maximum of ${spec.maxReplicas} replicas`,
      );
  }
  return ev;
}

function workloadChecks(
  w: Workload,
  snap: Snapshot,
  index: EntityIndex,
  nodes: ObjectRecord[],
  add: AddSuspect,
): void {
  const spec = w.template?.spec;
  if (!spec) return;
  const sel = spec.nodeSelector;
  if (
    sel &&
    Object.keys(sel).length > 0 &&
    nodes.length > 0 &&
    !nodes.some((n) => selectorMatches(sel, n.metadata.labels))
  )
    add(
      w.id,
      0.8,
      [w.id],
      ['pending', 'unavailable'],
      `nodeSelector ${JSON.stringify(sel)} matches none of the ${nodes.length} nodes`,
    );
  for (const v of spec.volumes ?? []) {
    const claim = v.persistentVolumeClaim?.claimName;
    if (
      claim &&
      !index.get(makeId(w.namespace, 'PersistentVolumeClaim', claim)) &&
      index.objectsOfKind('PersistentVolumeClaim').length >= 0 &&
      knowsKind(snap, 'PersistentVolumeClaim', index)
    )
      add(w.id, 0.75, [w.id], ['pending', 'unavailable'], `mounts claim ${claim}, which does not exist`);
    const cm = v.configMap?.name;
    if (cm && !index.get(makeId(w.namespace, 'ConfigMap', cm)) && knowsKind(snap, 'ConfigMap', index))
      add(
        w.id,
        0.6,
        [w.id],
        ['pending', 'config', 'unavailable'],
        `mounts ConfigMap ${cm}, which does not exist`,
      );
  }
  if (spec.dnsPolicy === 'None')
    add(
      w.id,
      0.35,
      [w.id],
      ['not-ready', 'misrouted', 'unreachable', 'errors'],
      `dnsPolicy None with nameservers ${JSON.stringify(spec.dnsConfig?.nameservers ?? [])}`,
    );
  const served = snap.logs.failedPaths;
  for (const c of spec.containers ?? []) {
    for (const kind of ['readinessProbe', 'livenessProbe'] as const) {
      const p: ProbeSpec | undefined = c[kind];
      const port = p?.httpGet?.port ?? p?.tcpSocket?.port;
      const explains: SymptomKind[] =
        kind === 'readinessProbe'
          ? ['not-ready', 'unavailable']
          : ['crash', 'not-ready', 'unreachable', 'errors'];
      if (port !== undefined && (c.ports ?? []).length > 0 && !servesContainerPort(c.ports ?? [], port))
        add(
          w.id,
          0.6,
          [w.id],
          explains,
          `${kind} of ${c.name ?? 'container'} checks port ${port}, which the container does not declare`,
        );
      const path = p?.httpGet?.path;
      if (!path) continue;
      let misses = 0;
      for (const [pod, paths] of served) {
        if (index.workloadOf(pod)?.id !== w.id) continue;
        for (const [k, n] of paths) if (k.startsWith(`GET ${path} 4`)) misses += n;
      }
      if (misses >= 2)
        add(
          w.id,
          0.75,
          [w.id],
          explains,
          `${kind} requests GET ${path}, which its pods answered 4xx ${misses} times`,
        );
    }
  }
}

/**
 * A Deployment's own account of its rollout: a spec the controller has not caught up with
 * (generation ahead of observedGeneration), a rollout past its progress deadline, replicas it failed to
 * create (the condition names a quota or an admission refusal).
 */
function rolloutState(w: Workload, add: AddSuspect): void {
  const o = w.object;
  if (!o) return;
  const gen = (o.metadata as { generation?: number }).generation;
  const st = statusOf<{
    observedGeneration?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  }>(o);
  if (gen !== undefined && st.observedGeneration !== undefined && gen > st.observedGeneration)
    add(
      w.id,
      0.2,
      [w.id],
      ['pending', 'unavailable', 'not-ready'],
      `spec generation ${gen} not yet observed by its controller (${st.observedGeneration})`,
    );
  for (const c of st.conditions ?? []) {
    if (c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded')
      add(
        w.id,
        0.45,
        [w.id],
        ['pending', 'crash', 'image', 'not-ready', 'unavailable', 'config'],
        `rollout stalled: ${c.message ?? c.reason}`,
      );
    if (c.type === 'ReplicaFailure' && c.status === 'True') {
      const quota = c.message?.match(/exceeded quota: ([a-z0-9.-]+)/i)?.[1];
      if (quota)
        add(
          makeId(w.namespace, 'ResourceQuota', quota),
          0.8,
          [w.id],
          ['unavailable', 'pending', 'not-ready', 'unreachable'],
          `refuses ${shortId(w.id)}'s pods: ${c.message}`,
          true,
        );
      else
        add(
          w.id,
          0.35,
          [w.id],
          ['unavailable', 'pending'],
          `replicas cannot be created: ${c.message ?? c.reason ?? ''}`,
        );
    }
  }
}

/**
 * A workload set apart from its siblings that run the same image: another tag, a CPU limit a fraction of
 * theirs, init containers they do not have. Weak on their own; they matter when that workload is the one
 * in trouble.
 */
function outliers(index: EntityIndex, add: AddSuspect): void {
  const byRepo = new Map<string, Array<{ w: Workload; tag: string; cpu?: number; init: number }>>();
  for (const w of index.workloads.values()) {
    const c = w.template?.spec?.containers?.[0];
    if (!c?.image) continue;
    const [repo, tag] = splitImage(c.image);
    const list = byRepo.get(repo) ?? [];
    list.push({
      w,
      tag,
      cpu: quantity(c.resources?.limits?.cpu),
      init: (w.template?.spec?.initContainers ?? []).length,
    });
    byRepo.set(repo, list);
  }
  for (const [repo, list] of byRepo) {
    if (list.length < 3) continue;
    const common = mode(list.map((x) => x.tag));
    const cpus = list.map((x) => x.cpu).filter((x): x is number => x !== undefined);
    const cpuMode = cpus.length > 0 ? mode(cpus.map(String)) : undefined;
    const initMode = mode(list.map((x) => String(x.init)));
    for (const x of list) {
      if (x.tag !== common)
        add(
          x.w.id,
          0.3,
          [x.w.id],
          ['image', 'pending', 'crash', 'errors'],
          `runs ${repo}:${x.tag} while ${list.length - 1} siblings run ${repo}:${common}`,
        );
      if (cpuMode !== undefined && x.cpu !== undefined && x.cpu < Number(cpuMode) * 0.3)
        add(
          x.w.id,
          0.3,
          [x.w.id],
          ['saturation', 'latency', 'errors', 'crash', 'not-ready'],
          `CPU limit ${x.cpu} cores, under a third of its siblings' ${cpuMode}`,
        );
      if (x.init > Number(initMode))
        add(
          x.w.id,
          0.2,
          [x.w.id],
          ['pending', 'not-ready', 'crash'],
          `runs init containers its siblings do not`,
        );
    }
  }
}

function splitImage(image: string): [string, string] {
  const at = image.indexOf('@');
  if (at >= 0) return [image.slice(0, at), image.slice(at + 1)];
  const colon = image.lastIndexOf(':');
  return colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
}

/** Does the snapshot list objects of this kind at all (else a missing reference proves nothing)? */
function knowsKind(snap: Snapshot, kind: string, index: EntityIndex): boolean {
  return index.objectsOfKind(kind).length > 0 || snap.topology.entities.some((e) => e.kind === kind);
}

function servesPort(w: Workload, target: number | string): boolean {
  for (const c of w.template?.spec?.containers ?? [])
    if (servesContainerPort(c.ports ?? [], target)) return true;
  return false;
}

function servesContainerPort(
  ports: Array<{ name?: string; containerPort?: number }>,
  target: number | string,
): boolean {
  const n = typeof target === 'number' ? target : /^\d+$/.test(target) ? Number(target) : undefined;
  return ports.some((p) => (n !== undefined ? p.containerPort === n : p.name === target));
}

function containerPorts(ws: Workload[]): string[] {
  const out = new Set<string>();
  for (const w of ws)
    for (const c of w.template?.spec?.containers ?? [])
      for (const p of c.ports ?? []) out.add(`${p.containerPort ?? '?'}${p.name ? `/${p.name}` : ''}`);
  return [...out];
}

function podOrTemplateMatches(
  ns: string,
  sel: LabelSelector,
  index: EntityIndex,
  pods: ObjectRecord[],
): boolean {
  if (index.workloadsSelected(ns, sel, true).length > 0) return true;
  return pods.some((p) => p.metadata.namespace === ns && selectorMatches(sel, p.metadata.labels, true));
}

/** A Service whose selector matches nothing was most likely meant for the workload named like it. */
function intendedWorkloads(svc: ObjectRecord, sel: Labels, index: EntityIndex): Workload[] {
  const ns = svc.metadata.namespace;
  const byName = [...index.workloads.values()].filter(
    (w) => w.namespace === ns && w.telemetryNames.has(svc.metadata.name),
  );
  if (byName.length > 0) return byName;
  const keys = Object.keys(sel);
  return [...index.workloads.values()].filter((w) => {
    if (w.namespace !== ns) return false;
    const labels = w.template?.metadata?.labels ?? {};
    return keys.filter((k) => labels[k] === sel[k]).length >= keys.length - 1 && keys.length > 1;
  });
}

function maxReplicasSeen(target: EntityId, snap: Snapshot, index: EntityIndex): number | undefined {
  let best: number | undefined;
  for (const m of snap.metrics) {
    if (m.name !== 'kube_deployment_spec_replicas' && m.name !== 'kube_deployment_status_replicas') continue;
    if (makeId(m.labels.namespace, 'Deployment', m.labels.deployment ?? '') !== target) continue;
    for (const [, v] of m.points) if (typeof v === 'number') best = Math.max(best ?? 0, v);
  }
  const w = index.workloads.get(target);
  if (w)
    for (const rs of index.replicaSetsOf(w))
      if (rs.replicas !== undefined) best = Math.max(best ?? 0, rs.replicas);
  return best;
}

/** Why a config file does not parse, judged by its key's extension; null when it parses or is not structured. */
function unparsable(key: string, text: string): string | null {
  if (/\.json$/i.test(key) || (/^\s*[{[]/.test(text) && !/\.(ya?ml|toml|ini|conf|properties)$/i.test(key))) {
    try {
      JSON.parse(text);
      return null;
    } catch (err) {
      return (err as Error).message.slice(0, 80);
    }
  }
  return null;
}
