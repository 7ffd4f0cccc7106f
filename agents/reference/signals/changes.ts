import type { EventRecord, ObjectRecord } from '../../../src/bundle/records.js';
import type { EntityId } from '../../../src/entities/index.js';
import { shortId } from '../edge-blame.js';
import { eventTime } from '../event-time.js';
import { templateRefs, type EntityIndex, type ReplicaSetInfo, type Workload } from '../entity-index.js';
import { clamp01, emptyEvidence, suspectAdder, type Evidence, type SymptomKind } from '../evidence.js';
import { idParts, makeId, selectorMatches, specOf, type LabelSelector, type PodTemplate } from '../kube.js';
import type { ObjectChange, Snapshot } from '../read-snapshot.js';
import { configFileDiff } from '../config-diff.js';
import { diffTemplates, same, type TemplateChange } from '../template-diff.js';
import { clock, isoMs } from '../time.js';

/** How long before the window a change may still be the cause (the window start is random). */
const LOOKBACK_MS = 30 * 60_000;

const BROAD: SymptomKind[] = [
  'crash',
  'config',
  'auth',
  'errors',
  'not-ready',
  'latency',
  'misrouted',
  'refuses',
];

/**
 * Changes made during the window: rollouts (a new ReplicaSet, diffed against the revision before it),
 * scale-downs, objects created (NetworkPolicies, quotas, autoscalers...), and every create/update/delete
 * the optional object-changes.ndjson records. Each becomes a suspect weighted by how likely a change of
 * that kind is to break something; the ranker then keeps only those whose symptoms show up downstream.
 */
export function changeSignal(snap: Snapshot, index: EntityIndex): Evidence {
  const ev = emptyEvidence();
  const since = snap.window.start;
  const inWindow = (t: number | null): t is number =>
    t !== null && t >= since - 1000 && t <= snap.window.end + 1000;
  const rolled = new Set<string>();

  // Rollouts shortly before the window count too: the window starts at a random time, not at the fault.
  const recent = (t: number | null): t is number =>
    t !== null && t >= since - LOOKBACK_MS && t <= snap.window.end + 1000;
  for (const w of index.workloads.values()) {
    const sets = index.replicaSetsOf(w);
    for (const [i, rs] of sets.entries()) {
      const started = rolloutTime(rs, snap.events);
      if (!recent(started)) continue;
      const rollback = started !== rs.created;
      if (i === 0 && !rollback) {
        // The oldest revision kept: the workload's first deploy, unless the workload is older than it (the
        // revisions before were pruned), in which case what changed is unknown.
        const born = isoMs(w.object?.metadata.creationTimestamp);
        const prevTemplate = previousTemplate(snap.objectChanges, w, started);
        if (prevTemplate) {
          rollout(w, rs.name, started, prevTemplate, rs.template ?? w.template, ev);
          rolled.add(`${w.id}|${Math.round(started / 5000)}`);
        } else if (born !== null && started - born > 60_000 && inWindow(started)) {
          ev.suspects.push({
            signal: 'changes',
            entity: w.id,
            weight: 0.3,
            at: started,
            affects: [w.id],
            explains: BROAD,
            detail: `rolled out ReplicaSet ${rs.name} at ${clock(started)} (previous revision not in the snapshot)`,
          });
          rolled.add(`${w.id}|${Math.round(started / 5000)}`);
        }
        continue;
      }
      // The revision it replaced: the one before it, or (a rollback) the newest other one.
      const prev = i > 0 ? sets[i - 1] : [...sets].reverse().find((x) => x !== rs);
      const oldTemplate = prev?.template ?? previousTemplate(snap.objectChanges, w, started);
      if (!oldTemplate) continue;
      rollout(w, rs.name, started, oldTemplate, rs.template ?? w.template, ev);
      rolled.add(`${w.id}|${Math.round(started / 5000)}`);
    }
  }
  scaleEvents(snap, index, ev);
  generationBumps(snap, index, ev, inWindow);
  for (const c of snap.objectChanges) objectChange(c, snap, index, ev, rolled);
  if (snap.objectChanges.length === 0) createdObjects(snap, index, ev, recent);
  return ev;
}

function rollout(
  w: Workload,
  rsName: string,
  at: number,
  before: PodTemplate,
  after: PodTemplate | undefined,
  ev: Evidence,
): void {
  const diff = diffTemplates(before, after, w.namespace);
  const harmful = diff.filter((d) => d.harm >= 0.1).sort((a, b) => b.harm - a.harm);
  const top = harmful[0] ?? diff.sort((a, b) => b.harm - a.harm)[0];
  // Several risky edits at once are a little riskier than the worst of them alone.
  const weight = clamp01((top?.harm ?? 0.05) + 0.05 * Math.max(0, harmful.length - 1));
  const explains = [...new Set(diff.flatMap((d) => d.explains))];
  ev.suspects.push({
    signal: 'changes',
    entity: w.id,
    weight,
    at,
    affects: [w.id],
    explains,
    detail: `rolled out ${rsName} at ${clock(at)}: ${describe(diff)}`,
  });
  // Any rollout restarts the pods, which then read their ConfigMaps and Secrets afresh: an edit made to
  // those earlier only takes effect now.
  const restartOnly = diff.every((d) => d.restartOnly || d.harm < 0.1);
  const ns = w.namespace;
  const refsBefore = new Set(templateRefs(before, ns));
  for (const ref of new Set(templateRefs(after, ns))) {
    const kind = idParts(ref).kind;
    if (kind !== 'ConfigMap' && kind !== 'Secret') continue;
    const newRef = !refsBefore.has(ref);
    ev.suspects.push({
      signal: 'changes',
      entity: ref,
      weight: newRef ? 0.4 : restartOnly ? 0.3 : 0.12,
      at,
      affects: [w.id],
      explains: ['config', 'crash', 'auth', 'errors', 'not-ready', 'refuses'],
      detail: newRef
        ? `${shortId(w.id)}'s rollout at ${clock(at)} made its pods read it`
        : `read afresh by ${shortId(w.id)}'s pods, restarted at ${clock(at)}${restartOnly ? ' with no other change to the template' : ''}`,
    });
  }
}

/**
 * A Deployment spec edited in the window shows as kube_deployment_metadata_generation going up. When no
 * rollout or scale change above accounts for it (ReplicaSets missing from the snapshot), the edit itself
 * is a suspect of unknown content.
 */
function generationBumps(
  snap: Snapshot,
  index: EntityIndex,
  ev: Evidence,
  inWindow: (t: number | null) => t is number,
): void {
  for (const m of snap.metrics) {
    if (m.name !== 'kube_deployment_metadata_generation' || !m.labels.deployment) continue;
    const id = makeId(m.labels.namespace, 'Deployment', m.labels.deployment);
    if (!index.workloads.has(id)) continue;
    for (let i = 1; i < m.points.length; i++) {
      const [ts, v] = m.points[i];
      const prev = m.points[i - 1][1];
      const at = ts * 1000;
      if (typeof v !== 'number' || typeof prev !== 'number' || v <= prev || !inWindow(at)) continue;
      const known = ev.suspects.some((s) => s.entity === id && s.at !== null && Math.abs(s.at - at) < 20_000);
      if (known) continue;
      ev.suspects.push({
        signal: 'changes',
        entity: id,
        weight: 0.3,
        at,
        affects: [id],
        explains: [...BROAD, 'unavailable', 'pending'],
        detail: `spec edited at ${clock(at)} (generation ${prev} → ${v}); what changed is not in the snapshot`,
      });
    }
  }
}

/** When a ReplicaSet started serving: its creation, or a scale-up from 0 (a rollback to it). */
function rolloutTime(rs: ReplicaSetInfo, events: EventRecord[]): number | null {
  let t = rs.created;
  for (const e of events) {
    if (e.reason !== 'ScalingReplicaSet') continue;
    const m = e.message.match(/Scaled up replica set ([a-z0-9.-]+) from 0 to/i);
    if (m?.[1] === rs.name) {
      // The latest time it was scaled up from nothing (folded repeats keep the first in firstTimestamp).
      const at = isoMs(e.lastTimestamp) ?? isoMs(e.firstTimestamp);
      if (at !== null && (t === null || at > t + 10_000)) t = at;
    }
  }
  return t;
}

function previousTemplate(changes: ObjectChange[], w: Workload, before: number): PodTemplate | undefined {
  let tpl: PodTemplate | undefined;
  for (const c of changes) {
    if (c.entity !== w.id || c.at >= before - 500 || !c.object) continue;
    tpl = specOf<{ template?: PodTemplate }>(c.object).template;
  }
  return tpl;
}

/** Scale changes that are not part of a rollout: `Scaled down replica set X from a to b` with nothing scaled up. */
function scaleEvents(snap: Snapshot, index: EntityIndex, ev: Evidence): void {
  const scaling = snap.events.filter((e) => e.reason === 'ScalingReplicaSet');
  for (const e of scaling) {
    const m = e.message.match(/Scaled (up|down) replica set ([a-z0-9.-]+) from (\d+) to (\d+)/i);
    const at = eventTime(e, snap.window.start);
    if (!m || at === null) continue;
    const [, dir, rsName, from, to] = m;
    const ns = e.involvedObject.namespace;
    const w = index.workloadOf(makeId(ns, 'ReplicaSet', rsName)) ?? index.workloadOf(e.entity);
    if (!w) continue;
    // A rollout scales one ReplicaSet up and another down within seconds: that is not a scale change.
    const rs = index.replicaSets.get(makeId(ns, 'ReplicaSet', rsName));
    const fresh = rs?.created != null && at - rs.created < 30_000 && at >= rs.created - 1000;
    const partOfRollout =
      fresh ||
      scaling.some((o) => {
        if (o === e || index.workloadOf(o.entity)?.id !== w.id) return false;
        const t = eventTime(o, snap.window.start) ?? 0;
        const other = o.message.match(/replica set ([a-z0-9.-]+)/i)?.[1];
        return other !== rsName && Math.abs(t - at) < 120_000;
      });
    if (partOfRollout) continue;
    const a = Number(from);
    const b = Number(to);
    if (dir.toLowerCase() === 'up') {
      ev.notes.push(`${shortId(w.id)} scaled up ${a} → ${b} at ${clock(at)}`);
      continue;
    }
    ev.suspects.push({
      signal: 'changes',
      entity: w.id,
      weight: b === 0 ? 0.85 : 0.3,
      at,
      affects: [w.id],
      explains: ['unavailable', 'unreachable', 'not-ready', 'errors', 'latency', 'saturation'],
      detail: `scaled down from ${a} to ${b} replicas at ${clock(at)}`,
    });
  }
}

/** One record of object-changes.ndjson, compared with the version before it. */
function objectChange(
  c: ObjectChange,
  snap: Snapshot,
  index: EntityIndex,
  ev: Evidence,
  rolled: Set<string>,
): void {
  const { kind, namespace } = idParts(c.entity);
  const prev = previousVersion(snap.objectChanges, c);
  const at = c.at;
  const add = suspectAdder(ev, 'changes', at);
  const push = (
    weight: number,
    affects: EntityId[],
    explains: SymptomKind[],
    detail: string,
    standalone = false,
  ): void =>
    add(
      c.entity,
      weight,
      affects,
      explains,
      `${c.action.toLowerCase()} at ${clock(at)}: ${detail}`,
      standalone,
    );
  const obj = c.object;
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet': {
      const w = index.workloads.get(c.entity);
      if (!w || !obj || !prev) return;
      const rA = specOf<{ replicas?: number }>(prev).replicas;
      const rB = specOf<{ replicas?: number }>(obj).replicas;
      if (rA !== undefined && rB !== undefined && rB < rA)
        push(
          rB === 0 ? 0.85 : 0.3,
          [w.id],
          ['unavailable', 'unreachable', 'not-ready', 'errors', 'latency', 'saturation'],
          `replicas ${rA} → ${rB}`,
        );
      const tA = specOf<{ template?: PodTemplate }>(prev).template;
      const tB = specOf<{ template?: PodTemplate }>(obj).template;
      if (!same(tA, tB) && !rolled.has(`${w.id}|${Math.round(at / 5000)}`) && tA) {
        rollout(w, 'a new revision', at, tA, tB, ev);
        rolled.add(`${w.id}|${Math.round(at / 5000)}`);
      }
      return;
    }
    case 'ConfigMap':
    case 'Secret': {
      const users = index.usersOf(c.entity).map((w) => w.id);
      if (c.action === 'DELETED') return push(0.6, users, BROAD, 'deleted while read by ' + names(users));
      if (c.action === 'ADDED') return push(0.08, users, BROAD, 'created');
      const keys = changedKeys(prev, obj);
      // Edited, then read: a reader rolled out or restarted within minutes of the edit (the usual
      // "change the config, restart the deployment").
      const reread = index
        .usersOf(c.entity)
        .find((w) =>
          index
            .replicaSetsOf(w)
            .some((rs) => rs.created !== null && rs.created >= at - 1000 && rs.created - at < 300_000),
        );
      // Snapshots hold no Secret values: a Secret update whose visible metadata changed was probably
      // only that (a label, an annotation); one with nothing visible changed must have changed its data.
      const metaOnly = !!prev && !!obj && !keys && sameDataKeys(prev, obj) && !sameMeta(prev, obj);
      // A config file whose only change turns logging up or down: read afresh, it explains no failure.
      const diffs = keys ? keys.split(', ').map((k) => dataDiff(prev, obj, k)) : [];
      if (diffs.length > 0 && diffs.every((d) => d?.loggingOnly))
        return push(
          0.03,
          users,
          [],
          `only logging changed (${diffs.flatMap((d) => d?.changes ?? []).join(', ')}); read by ${names(users)}`,
        );
      push(
        metaOnly ? 0.1 : reread ? 0.7 : 0.5,
        users,
        BROAD,
        `${keys ? `keys ${keys}` : metaOnly ? 'labels or annotations' : 'content'} changed; read by ${names(users)}${reread && !metaOnly ? `, and ${shortId(reread.id)} rolled out right after` : ''}`,
      );
      return;
    }
    case 'Service': {
      const before = prev ?? obj;
      const behind = workloadsBehind(before, index);
      if (c.action === 'DELETED')
        return push(0.75, behind, ['unreachable', 'not-ready', 'errors'], 'deleted');
      if (c.action === 'ADDED') return push(0.1, behind, ['unreachable'], 'created');
      if (!prev)
        return push(
          0.35,
          behind,
          ['unreachable', 'not-ready', 'errors'],
          'updated (the version before is not in the snapshot)',
        );
      const sA = specOf<{ selector?: unknown; ports?: unknown }>(prev);
      const sB = specOf<{ selector?: unknown; ports?: unknown }>(obj);
      const what = [
        !same(sA.selector, sB.selector)
          ? `selector ${JSON.stringify(sA.selector)} → ${JSON.stringify(sB.selector)}`
          : '',
        !same(sA.ports, sB.ports) ? `ports ${JSON.stringify(sA.ports)} → ${JSON.stringify(sB.ports)}` : '',
      ].filter(Boolean);
      push(
        what.length > 0 ? 0.7 : 0.1,
        behind,
        ['unreachable', 'not-ready', 'errors'],
        what.join('; ') || 'metadata changed',
      );
      return;
    }
    case 'NetworkPolicy': {
      const sel = specOf<{ podSelector?: LabelSelector }>(obj ?? prev).podSelector;
      const affected = index.workloadsSelected(namespace, sel, true).map((w) => w.id);
      if (c.action === 'DELETED') return;
      push(
        0.5,
        affected,
        ['unreachable', 'errors', 'not-ready', 'latency', 'auth'],
        `selects ${names(affected)}`,
      );
      return;
    }
    case 'ResourceQuota':
    case 'LimitRange':
      if (c.action === 'DELETED') return;
      push(...admissionLimit(kind, namespace, obj, index));
      return;
    case 'HorizontalPodAutoscaler': {
      if (c.action === 'DELETED' || !obj) return;
      hpaSuspect(obj, at, index, snap, ev, c.action.toLowerCase());
      return;
    }
    case 'Node': {
      if (c.action !== 'MODIFIED' || !obj) return;
      const uA = !!specOf<{ unschedulable?: boolean }>(prev).unschedulable;
      const uB = !!specOf<{ unschedulable?: boolean }>(obj).unschedulable;
      const tA = specOf<{ taints?: unknown[] }>(prev).taints ?? [];
      const tB = specOf<{ taints?: unknown[] }>(obj).taints ?? [];
      if (!uA && uB)
        push(0.7, [], ['pending', 'unavailable', 'unreachable', 'not-ready'], 'cordoned (unschedulable)');
      else if (tB.length > tA.length)
        push(0.45, [], ['pending', 'unavailable'], `taints ${JSON.stringify(tB)}`);
      return;
    }
    case 'PersistentVolumeClaim':
      if (c.action === 'DELETED')
        push(
          0.5,
          index.usersOf(c.entity).map((w) => w.id),
          ['pending', 'crash', 'unavailable'],
          'deleted',
        );
      return;
    default:
      return;
  }
}

/**
 * A ResourceQuota or LimitRange that came or changed in the window, as a suspect's weight, the workloads
 * it holds (every one of its namespace), what it explains and its detail: admission applies it to every
 * new pod there.
 */
function admissionLimit(
  kind: string,
  namespace: string | undefined,
  o: ObjectRecord | null | undefined,
  index: EntityIndex,
): [weight: number, affects: EntityId[], explains: SymptomKind[], detail: string] {
  const held = [...index.workloads.values()].filter((w) => w.namespace === namespace).map((w) => w.id);
  return kind === 'ResourceQuota'
    ? [
        0.45,
        held,
        ['unavailable', 'pending', 'not-ready'],
        `hard ${JSON.stringify(specOf<{ hard?: unknown }>(o).hard ?? {})}`,
      ]
    : [
        0.3,
        held,
        ['pending', 'oom', 'crash', 'unavailable'],
        `limits ${JSON.stringify(specOf<{ limits?: unknown }>(o).limits ?? [])}`,
      ];
}

/** Objects created inside the window, when no object-changes file says more. */
function createdObjects(
  snap: Snapshot,
  index: EntityIndex,
  ev: Evidence,
  inWindow: (t: number | null) => t is number,
): void {
  for (const o of snap.objects) {
    const at = isoMs(o.metadata.creationTimestamp);
    if (!inWindow(at)) continue;
    const ns = o.metadata.namespace;
    const push = (weight: number, affects: EntityId[], explains: SymptomKind[], detail: string): void => {
      ev.suspects.push({
        signal: 'changes',
        entity: o.entity,
        weight,
        at,
        affects,
        explains,
        detail: `created at ${clock(at)}: ${detail}`,
      });
    };
    switch (o.kind) {
      case 'NetworkPolicy': {
        const affected = index
          .workloadsSelected(ns, specOf<{ podSelector?: LabelSelector }>(o).podSelector, true)
          .map((w) => w.id);
        push(
          0.5,
          affected,
          ['unreachable', 'errors', 'not-ready', 'latency', 'auth'],
          `selects ${names(affected)}`,
        );
        break;
      }
      case 'ResourceQuota':
      case 'LimitRange':
        push(...admissionLimit(o.kind, ns, o, index));
        break;
      case 'HorizontalPodAutoscaler':
        hpaSuspect(o, at, index, snap, ev, 'created');
        break;
      default:
        break;
    }
  }
}

/** An autoscaler whose maximum is below what its target ran before caps it at once. */
function hpaSuspect(
  o: ObjectRecord,
  at: number,
  index: EntityIndex,
  snap: Snapshot,
  ev: Evidence,
  verb: string,
): void {
  const spec = specOf<{ maxReplicas?: number; scaleTargetRef?: { kind?: string; name?: string } }>(o);
  const ns = o.metadata.namespace;
  const target =
    spec.scaleTargetRef?.kind && spec.scaleTargetRef.name
      ? makeId(ns, spec.scaleTargetRef.kind, spec.scaleTargetRef.name)
      : undefined;
  let before: number | undefined;
  for (const m of snap.metrics) {
    if (
      m.name !== 'kube_deployment_spec_replicas' ||
      !target ||
      makeId(m.labels.namespace, 'Deployment', m.labels.deployment ?? '') !== target
    )
      continue;
    const first = m.points[0]?.[1];
    if (typeof first === 'number')
      before = Math.max(before ?? 0, ...m.points.map((p) => (typeof p[1] === 'number' ? p[1] : 0)));
  }
  if (before === undefined && target) {
    const w = index.workloads.get(target);
    const sets = w ? index.replicaSetsOf(w) : [];
    before = Math.max(
      0,
      ...sets.map((s) => s.replicas ?? 0),
      specOf<{ replicas?: number }>(w?.object).replicas ?? 0,
    );
  }
  const caps = spec.maxReplicas !== undefined && before !== undefined && spec.maxReplicas < before;
  ev.suspects.push({
    signal: 'changes',
    entity: o.entity,
    weight: caps ? 0.85 : 0.35,
    at,
    affects: target ? [target] : [],
    explains: ['unavailable', 'saturation', 'latency', 'errors', 'not-ready'],
    detail: `${verb} at ${clock(at)}: maxReplicas ${spec.maxReplicas ?? '?'}${caps ? `, below the ${before} replicas ${shortId(target ?? '')} ran` : ''}`,
    ...(caps ? { standalone: true } : {}),
  });
}

function workloadsBehind(svc: ObjectRecord | null | undefined, index: EntityIndex): EntityId[] {
  if (!svc) return [];
  const sel = specOf<{ selector?: Record<string, string> }>(svc).selector;
  const ns = svc.metadata.namespace;
  const out = new Set<EntityId>();
  for (const w of index.workloads.values()) {
    if (w.namespace !== ns) continue;
    if (
      (sel && Object.keys(sel).length > 0 && selectorMatches(sel, w.template?.metadata?.labels)) ||
      w.telemetryNames.has(svc.metadata.name)
    )
      out.add(w.id);
  }
  return [...out];
}

function previousVersion(changes: ObjectChange[], c: ObjectChange): ObjectRecord | null {
  // The snapshot records the version a change replaced; older snapshots only the versions after each.
  if (c.before) return c.before;
  let prev: ObjectRecord | null = null;
  for (const o of changes) {
    if (o === c) break;
    if (o.entity === c.entity && o.object) prev = o.object;
  }
  return prev;
}

/** The JSON diff of one data key of a ConfigMap between two versions; undefined when it is not JSON. */
function dataDiff(
  a: ObjectRecord | null,
  b: ObjectRecord | null,
  key: string,
): ReturnType<typeof configFileDiff> {
  const before = (a?.data as Record<string, unknown> | undefined)?.[key];
  const after = (b?.data as Record<string, unknown> | undefined)?.[key];
  return typeof before === 'string' && typeof after === 'string' ? configFileDiff(before, after) : undefined;
}

function changedKeys(a: ObjectRecord | null, b: ObjectRecord | null): string {
  const da = (a?.data ?? {}) as Record<string, unknown>;
  const db = (b?.data ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(da), ...Object.keys(db)])].filter((k) => !same(da[k], db[k]));
  return keys.join(', ');
}

function sameMeta(a: ObjectRecord, b: ObjectRecord): boolean {
  return same(a.metadata.labels, b.metadata.labels) && same(a.metadata.annotations, b.metadata.annotations);
}

/** Same key names (Secrets keep their keys in sanitized snapshots, as a data map with the values removed or as a list). */
function sameDataKeys(a: ObjectRecord, b: ObjectRecord): boolean {
  const keys = (o: ObjectRecord): string =>
    JSON.stringify(Object.keys((o.data ?? {}) as Record<string, unknown>).sort());
  return keys(a) === keys(b);
}

function names(ids: EntityId[]): string {
  return ids.length === 0 ? 'nothing' : ids.map(shortId).join(', ');
}

function describe(diff: TemplateChange[]): string {
  return [...diff]
    .sort((a, b) => b.harm - a.harm)
    .slice(0, 4)
    .map((d) => d.what)
    .join('; ');
}
