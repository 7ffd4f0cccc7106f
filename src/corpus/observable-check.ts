// peer.service is incubating only; it is what the shop's client spans name their callee with.
import { ATTR_PEER_SERVICE } from '@opentelemetry/semantic-conventions/incubating';
import type { BundleHandle } from '../bundle/bundle-reader.js';
import { SnapshotFile } from '../bundle/layout.js';
import type { CheckResult } from '../bundle/manifest.js';
import type {
  AlertsFile,
  EventRecord,
  Labels,
  LogRecord,
  MetricSeries,
  SpanRecord,
  Topology,
} from '../bundle/records.js';
import { matchSet } from '../entities/alias-set.js';
import { tryParseEntityId, type EntityId } from '../entities/entity-id.js';
import { labelEntities } from '../entities/label-entities.js';
import { isTroubleLine } from './log-severity.js';
import { seriesMovement, type MovementOptions } from './metric-movement.js';

export type EvidenceKind = 'alert' | 'event' | 'log' | 'span' | 'metric';

export interface Evidence {
  kind: EvidenceKind;
  /** One short line naming the record (alert name and labels, event reason, metric and its shift...). */
  detail: string;
}

export interface RootCauseEvidence {
  id: EntityId;
  observable: boolean;
  /** The id or alias the evidence named, or the entity using a ConfigMap/Secret/PVC root cause. */
  matched: EntityId | null;
  /** Set when the root cause was reached through a `uses` edge of the topology. */
  via: EntityId | null;
  evidence: Evidence[];
}

export interface ObservableResult {
  check: CheckResult;
  rootCauses: RootCauseEvidence[];
}

/** Kinds that emit no telemetry of their own: they are seen through the workloads that use them. */
const PASSIVE_KINDS = new Set([
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'NetworkPolicy',
  'LimitRange',
]);
const PER_ENTITY = 3;

/** How the entity a passive root cause is seen through relates to it, for the check's detail. */
function linkWord(rootCause: EntityId): string {
  const p = tryParseEntityId(rootCause);
  const kind = p.ok ? p.ref.kind : '';
  return kind === 'NetworkPolicy' ? 'selected by it' : kind === 'LimitRange' ? 'limited by it' : 'uses it';
}

/** Labels worth reading in a one-line detail (scrape bookkeeping left out). */
function labelText(labels: Labels): string {
  const keys = Object.keys(labels)
    .filter((k) => !['alertname', 'instance', 'job', 'app', 'team'].includes(k))
    .sort();
  return `{${keys.map((k) => `${k}="${labels[k]}"`).join(',')}}`;
}

const fmt = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3));

/**
 * The `observable` check: every root cause (or one of its aliases) is named by the snapshot's evidence
 * from the injection on, so the task can be solved from the snapshot alone. Evidence is an alert whose
 * labels name the entity, an event about it, a trouble log line of it, an error span it emitted (its
 * entity, or the Service/Deployment named like its service) or a failed client call to it
 * (`peer.service`), or a metric series naming it that moved beyond its warm-up baseline
 * (seriesMovement). A ConfigMap, Secret or PVC root cause, which emits nothing itself, is also
 * observable through an entity that uses it (topology `uses` edge) and has evidence; a NetworkPolicy
 * through the pods it selects, a LimitRange through the workloads it limits.
 */
export async function checkObservable(
  bundle: BundleHandle,
  movement: MovementOptions = {},
): Promise<ObservableResult> {
  const truth = await bundle.groundTruth();
  const injected = truth.injectedAt ?? bundle.manifest.times.injectedAt;
  const injectedMs = injected ? Date.parse(injected) : null;
  const after = (iso: string | null | undefined): boolean =>
    injectedMs === null || iso === null || iso === undefined || Date.parse(iso) >= injectedMs;

  const evidence = new Map<EntityId, Evidence[]>();
  const add = (id: string | null | undefined, e: Evidence): void => {
    if (!id) return;
    const p = tryParseEntityId(id);
    if (!p.ok) return;
    const list = evidence.get(p.id) ?? [];
    if (list.length < PER_ENTITY && !list.some((x) => x.kind === e.kind && x.detail === e.detail))
      list.push(e);
    evidence.set(p.id, list);
  };
  const rootNamespaces = new Set(
    truth.rootCauses.flatMap((r) => {
      const p = tryParseEntityId(r.id);
      return p.ok && p.ref.namespace ? [p.ref.namespace] : [];
    }),
  );

  if (bundle.has(SnapshotFile.alerts)) {
    const alerts = await bundle.readJson<AlertsFile>(SnapshotFile.alerts);
    for (const a of alerts.active ?? []) {
      const e: Evidence = { kind: 'alert', detail: `${a.alertname}${labelText(a.labels)} ${a.state}` };
      add(a.entity, e);
      for (const id of labelEntities(a.labels)) add(id, e);
    }
    for (const t of alerts.timeline ?? []) {
      if (!after(t.end)) continue;
      const e: Evidence = { kind: 'alert', detail: `${t.alertname}${labelText(t.labels)} ${t.state}` };
      for (const id of labelEntities(t.labels)) add(id, e);
    }
  }
  if (bundle.has(SnapshotFile.events)) {
    for await (const ev of bundle.readNdjson<EventRecord>(SnapshotFile.events)) {
      if (!after(ev.lastTimestamp)) continue;
      const e: Evidence = { kind: 'event', detail: `${ev.type} ${ev.reason}: ${ev.message.slice(0, 80)}` };
      add(ev.entity, e);
      const o = ev.involvedObject;
      if (o?.kind && o.name)
        add(o.namespace ? `${o.namespace}/${o.kind}/${o.name}` : `${o.kind}/${o.name}`, e);
    }
  }
  if (bundle.has(SnapshotFile.logs)) {
    for await (const log of bundle.readNdjson<LogRecord>(SnapshotFile.logs)) {
      if (!after(log.ts) || !isTroubleLine(log)) continue;
      add(log.entity, { kind: 'log', detail: log.line.slice(0, 100) });
    }
  }
  if (bundle.has(SnapshotFile.traces)) {
    for await (const span of bundle.readNdjson<SpanRecord>(SnapshotFile.traces)) {
      if (span.status !== 'error' || !after(span.end)) continue;
      const e: Evidence = { kind: 'span', detail: `error span ${span.service}: ${span.name}` };
      add(span.entity, e);
      const own = span.entity ? tryParseEntityId(span.entity) : null;
      const namespaces = own?.ok && own.ref.namespace ? [own.ref.namespace] : [...rootNamespaces];
      // A failed client call names its callee too (`peer.service`), like `dependency` on client metrics.
      const peer = span.attributes?.[ATTR_PEER_SERVICE];
      const callee: Evidence | null =
        typeof peer === 'string' && peer !== span.service
          ? { kind: 'span', detail: `error span ${span.service} → ${peer}: ${span.name}` }
          : null;
      for (const ns of namespaces) {
        add(`${ns}/Service/${span.service}`, e);
        add(`${ns}/Deployment/${span.service}`, e);
        if (callee && typeof peer === 'string') {
          add(`${ns}/Service/${peer}`, callee);
          add(`${ns}/Deployment/${peer}`, callee);
        }
      }
    }
  }
  if (bundle.has(SnapshotFile.metrics)) {
    const injectedSec = injectedMs === null ? null : injectedMs / 1000;
    for await (const s of bundle.readNdjson<MetricSeries>(SnapshotFile.metrics)) {
      const ids = labelEntities(s.labels);
      if (ids.length === 0) continue;
      const m = seriesMovement(s, injectedSec, movement);
      if (!m.moved) continue;
      const e: Evidence = {
        kind: 'metric',
        detail: `${s.name}${labelText(s.labels)} ${fmt(m.baselineMean)} → ${fmt(m.incidentMean)}`,
      };
      for (const id of ids) add(id, e);
    }
  }
  const users = new Map<EntityId, EntityId[]>();
  if (bundle.has(SnapshotFile.topology)) {
    const topo = await bundle.readJson<Topology>(SnapshotFile.topology);
    for (const edge of topo.edges ?? []) {
      if (edge.type === 'uses') users.set(edge.to, [...(users.get(edge.to) ?? []), edge.from]);
      // A NetworkPolicy shows only through the pods it selects (their failed scrapes, their callers).
      if (edge.type === 'selects' && edge.from.includes('/NetworkPolicy/'))
        users.set(edge.from, [...(users.get(edge.from) ?? []), edge.to]);
      // A LimitRange shows only through the workloads whose new pods it refuses (their FailedCreate
      // events quote its bound, never its name).
      if (edge.type === 'limits') users.set(edge.from, [...(users.get(edge.from) ?? []), edge.to]);
    }
  }

  const RANK: Record<EvidenceKind, number> = { alert: 0, event: 1, log: 2, span: 3, metric: 4 };
  const best = (found: Array<[EntityId, Evidence]>): Array<[EntityId, Evidence]> =>
    found.sort((a, b) => RANK[a[1].kind] - RANK[b[1].kind]).slice(0, PER_ENTITY);
  const rootCauses: RootCauseEvidence[] = truth.rootCauses.map((rc) => {
    const ids = matchSet(rc);
    const direct = best(
      [...ids].flatMap((id) => (evidence.get(id) ?? []).map((e): [EntityId, Evidence] => [id, e])),
    );
    if (direct.length > 0)
      return {
        id: rc.id,
        observable: true,
        matched: direct[0][0],
        via: null,
        evidence: direct.map(([, e]) => e),
      };
    const p = tryParseEntityId(rc.id);
    if (p.ok && PASSIVE_KINDS.has(p.ref.kind)) {
      const through = best(
        [...ids].flatMap((id) =>
          (users.get(id) ?? []).flatMap((u) =>
            (evidence.get(u) ?? []).map((e): [EntityId, Evidence] => [u, e]),
          ),
        ),
      );
      if (through.length > 0)
        return {
          id: rc.id,
          observable: true,
          matched: through[0][0],
          via: through[0][0],
          evidence: through.map(([, e]) => e),
        };
    }
    return { id: rc.id, observable: false, matched: null, via: null, evidence: [] };
  });
  const missing = rootCauses.filter((r) => !r.observable);
  const detail =
    missing.length > 0
      ? `no evidence names ${missing.map((r) => r.id).join(', ')} or an alias (alerts, events, trouble logs, error spans, moved metrics${injected ? ` since ${injected}` : ''})`
      : rootCauses
          .map(
            (r) =>
              `${r.id}: ${r.via ? `via ${r.via} (${linkWord(r.id)}): ` : r.matched !== r.id ? `as ${r.matched}: ` : ''}${r.evidence
                .map((e) => `${e.kind} ${e.detail}`)
                .join('; ')}`,
          )
          .join(' | ');
  const short = detail.length > 500 ? `${detail.slice(0, 497)}...` : detail;
  return { check: { ok: missing.length === 0, detail: short }, rootCauses };
}
