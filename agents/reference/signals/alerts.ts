import type { AlertTimelineEntry, Labels } from '../../../src/bundle/records.js';
import type { EntityIndex, Workload } from '../entity-index.js';
import { clamp01, emptyEvidence, type Evidence, type SymptomKind } from '../evidence.js';
import { makeId } from '../kube.js';
import type { Snapshot } from '../read-snapshot.js';
import { clock, isoMs } from '../time.js';

/** What each alert says about the workload its labels name, and how much that is worth. */
const RULES: Record<string, { kind: SymptomKind; weight: number; at?: 'dependency' }> = {
  ShopHighErrorRate: { kind: 'errors', weight: 0.5 },
  ShopHighLatencyP95: { kind: 'latency', weight: 0.45 },
  ShopContainerCPUNearLimit: { kind: 'saturation', weight: 0.7 },
  ShopContainerMemoryNearLimit: { kind: 'memory', weight: 0.75 },
  ShopDependencyErrors: { kind: 'unreachable', weight: 0.35, at: 'dependency' },
  ShopRedisCommandErrors: { kind: 'errors', weight: 0.35, at: 'dependency' },
  ShopTargetDown: { kind: 'unreachable', weight: 0.3 },
  ShopFrontendTrafficDrop: { kind: 'unavailable', weight: 0.2 },
  // Orders refused (4xx) at checkout: the refusal usually starts further down and is passed on.
  ShopOrdersRejected: { kind: 'refuses', weight: 0.45 },
  KubePodCrashLooping: { kind: 'crash', weight: 0.75 },
  KubeContainerOOMKilled: { kind: 'oom', weight: 0.85 },
  KubePodNotReady: { kind: 'not-ready', weight: 0.45 },
  KubePodPending: { kind: 'pending', weight: 0.65 },
  KubeDeploymentReplicasMismatch: { kind: 'not-ready', weight: 0.5 },
  KubeDeploymentUnavailable: { kind: 'not-ready', weight: 0.6 },
};
/** What an alert that fired and resolved before the capture is worth against one still firing. */
const RESOLVED_FACTOR = 0.5;

const WAITING: Record<string, SymptomKind> = {
  CrashLoopBackOff: 'crash',
  ImagePullBackOff: 'image',
  ErrImagePull: 'image',
  CreateContainerConfigError: 'config',
  PodInitializing: 'pending',
  ContainerCreating: 'pending',
};

interface Series {
  name: string;
  labels: Labels;
  stretches: AlertTimelineEntry[];
}

/**
 * Alerts: which workloads alert, with what, and since when. A series that fires, or is still active at
 * capture, counts fully; one that flaps (goes pending and back more than once without settling) counts
 * little, since every snapshot carries background alerts that come and go on their own. Low-severity
 * alerts count less. Alerts that name an object (a quota, an autoscaler) make it a suspect.
 */
export function alertSignal(snap: Snapshot, index: EntityIndex): Evidence {
  const ev = emptyEvidence();
  const series = new Map<string, Series>();
  for (const t of snap.alerts.timeline) {
    const key = `${t.alertname}|${JSON.stringify(Object.entries(t.labels ?? {}).sort())}`;
    const s = series.get(key) ?? { name: t.alertname, labels: t.labels ?? {}, stretches: [] };
    s.stretches.push(t);
    series.set(key, s);
  }
  for (const a of snap.alerts.active) {
    const key = `${a.alertname}|${JSON.stringify(Object.entries(a.labels ?? {}).sort())}`;
    const open = {
      alertname: a.alertname,
      labels: a.labels ?? {},
      state: a.state,
      start: a.activeAt,
      end: null,
    };
    const known = series.get(key);
    if (!known) series.set(key, { name: a.alertname, labels: a.labels ?? {}, stretches: [open] });
    // Active at capture though every stretch of its timeline ended (the timeline's last sample came a
    // moment before the active list was read): it is still going on, from its activeAt or the last end.
    else if (known.stretches.every((x) => x.end !== null)) {
      const lastEnd = Math.max(...known.stretches.map((x) => isoMs(x.end) ?? 0));
      const start = Math.max(isoMs(a.activeAt) ?? 0, lastEnd);
      known.stretches.push({ ...open, start: new Date(start).toISOString() });
    }
  }
  for (const whole of series.values())
    for (const stretches of episodes(whole.stretches)) {
      const s = { ...whole, stretches };
      const first = isoMs(stretches[0]?.start);
      const fired = stretches.some((x) => x.state === 'firing');
      const open = stretches.some((x) => x.end === null);
      const pendings = stretches.filter((x) => x.state === 'pending').length;
      const resolvedPendings = stretches.filter(
        (x) => x.state === 'pending' && x.end !== null && !followedByFiring(x, stretches),
      ).length;
      // Pending twice or more and never settling into firing: it comes and goes by itself.
      const flapping = (pendings >= 2 && resolvedPendings >= 2) || (!fired && !open);
      // Fired and over before the capture: an episode of its own, which the trouble still going on at the
      // end of the window did not need. It counts less and does not date when the trouble began.
      const over = fired && !open && !flapping;
      const severity = (s.labels.severity ?? '').toLowerCase();
      const sevFactor = severity === 'critical' ? 1 : severity === 'warning' || severity === '' ? 0.85 : 0.4;
      const factor = sevFactor * (flapping ? 0.2 : fired ? (over ? RESOLVED_FACTOR : 1) : 0.6);
      const ended = over ? isoMs(stretches[stretches.length - 1]?.end) : null;
      const when = `${fired ? 'firing' : 'pending'} since ${clock(first)}${flapping ? ', flapping' : ''}${over ? `, resolved at ${clock(ended)}` : ''}`;
      const objectSuspect = objectOf(s, index);
      if (objectSuspect) {
        ev.suspects.push({
          signal: 'alerts',
          entity: objectSuspect.id,
          weight: clamp01(objectSuspect.weight * factor),
          at: first,
          affects: objectSuspect.affects,
          explains: objectSuspect.explains,
          detail: `${s.name} (${when})`,
        });
        continue;
      }
      const rule = RULES[s.name] ?? waitingRule(s) ?? { kind: 'errors' as SymptomKind, weight: 0.2 };
      const w = rule.at === 'dependency' ? dependencyOf(s, index) : workloadOf(s.labels, index);
      if (!w) continue;
      const caller = rule.at === 'dependency' ? workloadOf(s.labels, index) : undefined;
      if (caller && caller.id !== w.id) ev.calls.push({ from: caller.id, to: w.id });
      ev.symptoms.push({
        signal: 'alerts',
        workload: w.id,
        kind: rule.kind,
        weight: clamp01(rule.weight * factor),
        at: first,
        ...(over ? { over: true, ...(ended !== null ? { until: ended } : {}) } : {}),
        detail: `${s.name}${describe(s.labels)} (${when})`,
        ...(caller ? { peer: caller.id } : {}),
      });
    }
  return ev;
}

/**
 * A new stretch this long after a fired stretch resolved starts another episode of the same alert: long
 * enough that an incident alert dipping under its threshold for a few evaluations stays one episode.
 */
const EPISODE_GAP_MS = 30_000;

/**
 * A series' stretches by start, cut into episodes wherever everything so far was over well before the
 * next stretch began: an earlier episode (a burst of errors a minute before the incident, at the same
 * service; a pod pending for one evaluation while a routine rollout started it) is one of its own, worth
 * less and dating nothing, not the start of the trouble still going on.
 */
function episodes(all: AlertTimelineEntry[]): AlertTimelineEntry[][] {
  const sorted = [...all].sort((a, b) => (isoMs(a.start) ?? 0) - (isoMs(b.start) ?? 0));
  const out: AlertTimelineEntry[][] = [];
  let cur: AlertTimelineEntry[] = [];
  for (const x of sorted) {
    // everything so far was over (fired and resolved, or pending and gone without firing), and nothing
    // began again for a while after it
    const last = cur[cur.length - 1];
    const gap = last?.end ? (isoMs(x.start) ?? 0) - (isoMs(last.end) ?? 0) : -Infinity;
    if (last && cur.every((y) => y.end !== null) && gap > EPISODE_GAP_MS) {
      out.push(cur);
      cur = [];
    }
    cur.push(x);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function followedByFiring(x: AlertTimelineEntry, all: AlertTimelineEntry[]): boolean {
  const end = isoMs(x.end);
  return all.some(
    (y) => y.state === 'firing' && end !== null && Math.abs((isoMs(y.start) ?? 0) - end) < 15_000,
  );
}

function waitingRule(s: Series): { kind: SymptomKind; weight: number } | undefined {
  if (s.name !== 'KubeContainerWaiting') return undefined;
  const kind = WAITING[s.labels.reason ?? ''];
  return { kind: kind ?? 'pending', weight: kind ? 0.7 : 0.4 };
}

function workloadOf(labels: Labels, index: EntityIndex): Workload | undefined {
  const ns = labels.namespace;
  if (!ns) return undefined;
  if (labels.pod) {
    const id = makeId(ns, 'Pod', labels.pod);
    if (index.isBatchPod(id)) return undefined;
    return index.workloadOf(id);
  }
  if (labels.deployment) return index.workloads.get(makeId(ns, 'Deployment', labels.deployment));
  if (labels.statefulset) return index.workloads.get(makeId(ns, 'StatefulSet', labels.statefulset));
  const svc = labels.service ?? labels.app ?? labels.container;
  return svc ? index.workloadByTelemetry(svc, ns) : undefined;
}

/** Alerts about a data store's commands failing, seen from a caller: the store they name. */
const STORE_ALERTS: Readonly<Record<string, string>> = {
  ShopRedisCommandErrors: 'redis',
  ShopDatabaseErrors: 'postgres',
};

/** The dependency an alert about failing calls points at (`dependency` label, or the store it is about). */
function dependencyOf(s: Series, index: EntityIndex): Workload | undefined {
  const ns = s.labels.namespace;
  const dep = s.labels.dependency ?? STORE_ALERTS[s.name];
  return dep ? index.workloadByTelemetry(dep, ns) : undefined;
}

/** Alerts about an object that is itself a likely cause: a quota, an autoscaler, a node. */
function objectOf(
  s: Series,
  index: EntityIndex,
): { id: string; weight: number; affects: string[]; explains: SymptomKind[] } | undefined {
  const ns = s.labels.namespace;
  if (s.labels.resourcequota && ns)
    return {
      id: makeId(ns, 'ResourceQuota', s.labels.resourcequota),
      weight: 0.55,
      affects: [...index.workloads.values()].filter((w) => w.namespace === ns).map((w) => w.id),
      explains: ['unavailable', 'pending', 'not-ready'],
    };
  if (s.labels.horizontalpodautoscaler && ns) {
    const id = makeId(ns, 'HorizontalPodAutoscaler', s.labels.horizontalpodautoscaler);
    const ref = (index.get(id)?.spec as { scaleTargetRef?: { kind?: string; name?: string } } | undefined)
      ?.scaleTargetRef;
    return {
      id,
      weight: 0.5,
      affects: ref?.kind && ref.name ? [makeId(ns, ref.kind, ref.name)] : [],
      explains: ['unavailable', 'saturation', 'latency', 'errors', 'not-ready'],
    };
  }
  if (s.labels.node && !s.labels.pod && /node/i.test(s.name))
    return {
      id: makeId(undefined, 'Node', s.labels.node),
      weight: 0.5,
      affects: [],
      explains: ['pending', 'unavailable', 'crash'],
    };
  return undefined;
}

function describe(labels: Labels): string {
  const keys = ['service', 'dependency', 'pod', 'deployment', 'container', 'reason'];
  const parts = keys.filter((k) => labels[k]).map((k) => `${k}=${labels[k]}`);
  return parts.length > 0 ? `{${parts.join(', ')}}` : '';
}
