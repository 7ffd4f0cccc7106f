import type { AlertsFile, EventRecord, SpanRecord, Topology } from '../bundle/records.js';
import { alertEntity } from '../entities/alert-entity.js';
import type { RootCause } from '../entities/alias-set.js';
import type { EntityId } from '../entities/entity-id.js';

/** One hop from cause towards symptom: the topology edge it follows, read in the direction harm travels. */
export interface PropagationHop {
  from: EntityId;
  to: EntityId;
  /**
   * `owns`/`owned-by` (a workload and its ReplicaSets and pods), `selected-by` (a pod behind its
   * Service), `called-by` (a Service and the workloads calling it), `used-by` (a ConfigMap, Secret or
   * PVC and the pods mounting it), `hosts` (a Node and its pods), `scales` (an HPA and its target),
   * `selects` (a NetworkPolicy and the pods it isolates), `delivers-to` (a producer and the consumers of
   * its messages, from the traces).
   */
  edge: string;
  /** What the evidence shows at `to` (alerts, warning events, error ratio, latency), if anything. */
  effects: string[];
}

export interface Propagation {
  /** An entity that alerted after the fault. */
  symptom: EntityId;
  alerts: string[];
  /** Whether the topology links the cause to the symptom (false: unexplained, e.g. background or missing edges). */
  reached: boolean;
  /** Shortest path from the root cause; empty when the symptom is the root cause (or one of its aliases). */
  path: PropagationHop[];
}

export interface PropagationInputs {
  rootCauses: readonly RootCause[];
  topology: Topology;
  alerts: AlertsFile;
  events: readonly EventRecord[];
  spans: readonly SpanRecord[];
  /** Only evidence from here on counts (ms). */
  injectedAt: number | undefined;
}

interface Arc {
  to: EntityId;
  edge: string;
}

/** The topology as harm travels: callee → caller, owner ↔ owned, config → pod, node → pod... */
function harmGraph(t: Topology): Map<EntityId, Arc[]> {
  const g = new Map<EntityId, Arc[]>();
  const add = (from: EntityId, to: EntityId, edge: string): void => {
    const list = g.get(from) ?? [];
    if (!list.some((a) => a.to === to && a.edge === edge)) list.push({ to, edge });
    g.set(from, list);
  };
  for (const e of t.edges) {
    switch (e.type) {
      case 'owns':
        add(e.from, e.to, 'owns');
        add(e.to, e.from, 'owned-by');
        break;
      case 'selects':
        // A Service depends on its pods; a NetworkPolicy acts on the pods it selects.
        if (e.from.includes('/NetworkPolicy/')) add(e.from, e.to, 'selects');
        else {
          add(e.to, e.from, 'selected-by');
          add(e.from, e.to, 'routes-to');
        }
        break;
      case 'calls':
        add(e.to, e.from, 'called-by');
        break;
      case 'uses':
        add(e.to, e.from, 'used-by');
        break;
      case 'runs-on':
        add(e.to, e.from, 'hosts');
        break;
      case 'scales':
        add(e.from, e.to, 'scales');
        break;
      case 'limits':
        add(e.from, e.to, 'limits');
        break;
    }
  }
  return g;
}

/**
 * Messages carry harm the other way round from calls: a producer's bad or missing messages reach every
 * consumer of them (`delivers-to`), though the topology only shows both ends calling the broker. Read
 * from the traces: a consumer span whose parent is another workload's producer span (the trace context
 * travels in the message).
 */
function addDeliveries(
  graph: Map<EntityId, Arc[]>,
  spans: readonly SpanRecord[],
  owners: Map<EntityId, EntityId>,
): void {
  const producers = new Map<string, EntityId>();
  for (const s of spans)
    if (s.kind === 'producer' && s.entity) producers.set(s.spanId, owners.get(s.entity) ?? s.entity);
  for (const s of spans) {
    if (s.kind !== 'consumer' || !s.entity || s.parentSpanId === null) continue;
    const from = producers.get(s.parentSpanId);
    const to = owners.get(s.entity) ?? s.entity;
    if (!from || from === to) continue;
    const list = graph.get(from) ?? [];
    if (!list.some((a) => a.to === to && a.edge === 'delivers-to')) list.push({ to, edge: 'delivers-to' });
    graph.set(from, list);
  }
}

/** What happened at each entity after the fault, in an SRE's words, from alerts, events and spans. */
function effectsByEntity(i: PropagationInputs, owners: Map<EntityId, EntityId>): Map<EntityId, Set<string>> {
  const out = new Map<EntityId, Set<string>>();
  const note = (id: EntityId | undefined, what: string): void => {
    if (!id) return;
    const s = out.get(id) ?? new Set<string>();
    s.add(what);
    out.set(id, s);
  };
  const after = (iso: string): boolean => i.injectedAt === undefined || Date.parse(iso) >= i.injectedAt;
  for (const t of i.alerts.timeline)
    if (t.state === 'firing' && after(t.end ?? new Date(8.64e15).toISOString())) {
      const id = alertEntity({ ...t.labels, alertname: t.alertname });
      note(id, `alert ${t.alertname}`);
      if (id?.includes('/Pod/')) note(owners.get(id), `alert ${t.alertname}`);
    }
  for (const e of i.events)
    if (e.type === 'Warning' && after(e.lastTimestamp)) {
      note(e.entity, `event ${e.reason}`);
      if (e.entity.includes('/Pod/')) note(owners.get(e.entity), `event ${e.reason}`);
    }
  // Server spans per workload: error ratio and p95 before and after the fault.
  const stats = new Map<EntityId, { before: SpanRecord[]; after: SpanRecord[] }>();
  for (const s of i.spans) {
    if (!s.entity || s.parentSpanId === null || !('http.route' in s.attributes)) continue;
    const w = owners.get(s.entity) ?? s.entity;
    const st = stats.get(w) ?? { before: [], after: [] };
    (after(s.start) ? st.after : st.before).push(s);
    stats.set(w, st);
  }
  const p95 = (xs: SpanRecord[]): number => {
    const d = xs.map((x) => x.durationMs).sort((a, b) => a - b);
    return d[Math.min(d.length - 1, Math.floor(d.length * 0.95))] ?? 0;
  };
  const errRatio = (xs: SpanRecord[]): number =>
    xs.length ? xs.filter((x) => x.status === 'error').length / xs.length : 0;
  for (const [w, st] of stats) {
    if (st.after.length < 5) continue;
    const eb = errRatio(st.before);
    const ea = errRatio(st.after);
    if (ea >= 0.05 && ea > 2 * eb)
      note(w, `errors ${(ea * 100).toFixed(0)} % of requests (before ${(eb * 100).toFixed(0)} %)`);
    const lb = p95(st.before);
    const la = p95(st.after);
    if (st.before.length >= 5 && la > 2 * lb && la - lb > 100)
      note(w, `p95 latency ${la.toFixed(0)} ms (before ${lb.toFixed(0)} ms)`);
  }
  return out;
}

/** Pod → its Deployment (through its ReplicaSet), so pod-level evidence also counts for the workload. */
function podOwners(t: Topology): Map<EntityId, EntityId> {
  const parent = new Map<EntityId, EntityId>();
  for (const e of t.edges) if (e.type === 'owns') parent.set(e.to, e.from);
  const out = new Map<EntityId, EntityId>();
  for (const [child] of parent) {
    let top = child;
    for (let n = 0; n < 4 && parent.has(top); n++) top = parent.get(top) as EntityId;
    if (top !== child) out.set(child, top);
  }
  return out;
}

/**
 * For each root cause, the path to every entity that alerted after the fault: the shortest chain of
 * topology edges read in the direction harm travels, each hop with what the evidence shows there. Derived
 * from the captured topology and evidence, never written by hand; a symptom no path reaches is listed
 * with `reached: false`, so authors see what the topology misses.
 */
export function propagationOf(i: PropagationInputs): Map<EntityId, Propagation[]> {
  const graph = harmGraph(i.topology);
  const owners = podOwners(i.topology);
  addDeliveries(graph, i.spans, owners);
  const effects = effectsByEntity(i, owners);
  const alertsAt = new Map<EntityId, Set<string>>();
  for (const t of i.alerts.timeline) {
    if (t.state !== 'firing') continue;
    const id = alertEntity({ ...t.labels, alertname: t.alertname });
    if (!id) continue;
    if (i.injectedAt !== undefined && t.end !== null && Date.parse(t.end) < i.injectedAt) continue;
    const s = alertsAt.get(id) ?? new Set<string>();
    s.add(t.alertname);
    alertsAt.set(id, s);
  }
  const out = new Map<EntityId, Propagation[]>();
  for (const rc of i.rootCauses) {
    // A symptom on one of the cause's own names (its pods, its Service) needs no path.
    const starts = new Set([rc.id, ...rc.aliases]);
    // Breadth-first from the cause itself: the first path found to a symptom is shortest, and it begins
    // where an SRE would (the Deployment, the Secret), not at one of its pods.
    const prev = new Map<EntityId, { from: EntityId; edge: string } | null>([[rc.id, null]]);
    const queue: EntityId[] = [rc.id];
    while (queue.length > 0) {
      const cur = queue.shift() as EntityId;
      for (const arc of graph.get(cur) ?? []) {
        if (prev.has(arc.to)) continue;
        prev.set(arc.to, { from: cur, edge: arc.edge });
        queue.push(arc.to);
      }
    }
    const list: Propagation[] = [];
    for (const [symptom, names] of [...alertsAt].sort(([a], [b]) => a.localeCompare(b))) {
      const path: PropagationHop[] = [];
      if (!starts.has(symptom) && prev.has(symptom)) {
        for (let at: EntityId = symptom; ;) {
          const p = prev.get(at);
          if (!p) break;
          path.unshift({ from: p.from, to: at, edge: p.edge, effects: [...(effects.get(at) ?? [])].sort() });
          at = p.from;
        }
      }
      list.push({
        symptom,
        alerts: [...names].sort(),
        reached: starts.has(symptom) || prev.has(symptom),
        path,
      });
    }
    out.set(rc.id, list);
  }
  return out;
}
