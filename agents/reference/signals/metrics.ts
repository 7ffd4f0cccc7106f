import type { MetricSeries } from '../../../src/bundle/records.js';
import type { EntityId } from '../../../src/entities/index.js';
import { upwardShift } from '../change-point.js';
import { POOL_TIMEOUT, shortId } from '../edge-blame.js';
import type { EntityIndex, Workload } from '../entity-index.js';
import { clamp01, emptyEvidence, type Evidence, type SymptomKind } from '../evidence.js';
import { makeId, quantity, specOf } from '../kube.js';
import type { Snapshot } from '../read-snapshot.js';
import { clock } from '../time.js';

type Pt = [number, number];

/** Records one symptom of a workload (dropped when there is none or it weighs next to nothing). */
type AddSymptom = (
  w: Workload | undefined,
  kind: SymptomKind,
  weight: number,
  at: number | null,
  detail: string,
  peer?: Workload,
) => void;

/** How long a process that just started takes to load its code and settle its memory. */
const WARMUP_MS = 30_000;
/** What is left of throttling that began only once the container was restarting. */
const STARTUP_THROTTLING = 0.3;

/**
 * Metrics: kube-state-metrics pod and deployment state (restarts, OOMKilled, waiting reasons, phases,
 * readiness, desired vs available replicas), container resources against their limits (CPU near the
 * limit or throttled, memory growing towards it), and RED metrics (5xx shares per service, failed
 * client calls per dependency, Redis command errors), each as a shift within the window.
 */
export function metricSignal(snap: Snapshot, index: EntityIndex): Evidence {
  const ev = emptyEvidence();
  const byName = new Map<string, MetricSeries[]>();
  for (const m of snap.metrics) {
    const list = byName.get(m.name);
    if (list) list.push(m);
    else byName.set(m.name, [m]);
  }
  const series = (name: string): MetricSeries[] => byName.get(name) ?? [];
  const podWorkload = (m: MetricSeries): Workload | undefined => {
    const { namespace, pod } = m.labels;
    if (!namespace || !pod) return undefined;
    const id = makeId(namespace, 'Pod', pod);
    if (index.isBatchPod(id)) return undefined;
    return index.workloadOf(id);
  };
  const add: AddSymptom = (w, kind, weight, at, detail, peer) => {
    if (w && weight > 0.02)
      ev.symptoms.push({
        signal: 'metrics',
        workload: w.id,
        kind,
        weight: clamp01(weight),
        at,
        detail,
        ...(peer ? { peer: peer.id } : {}),
      });
  };
  const windowStart = snap.window.start;

  // Restarts inside the window. When each pod's container first restarted (namespace/pod), for throttling.
  const firstRestart = new Map<string, number>();
  const init = (name: string) => name.includes('init');
  for (const name of [
    'kube_pod_container_status_restarts_total',
    'kube_pod_init_container_status_restarts_total',
  ]) {
    const perWorkload = new Map<EntityId, { n: number; at: number; w: Workload }>();
    for (const m of series(name)) {
      const w = podWorkload(m);
      const pts = points(m);
      if (!w || pts.length === 0) continue;
      const appearedLate = pts[0][0] > windowStart + 15_000;
      const base = appearedLate ? 0 : pts[0][1];
      const last = Math.max(...pts.map((p) => p[1]));
      const n = last - base;
      if (n <= 0) continue;
      const at = pts.find((p) => p[1] > base)?.[0] ?? pts[0][0];
      if (!init(name)) {
        const key = `${m.labels.namespace}/${m.labels.pod}`;
        firstRestart.set(key, Math.min(firstRestart.get(key) ?? Infinity, at));
      }
      const cur = perWorkload.get(w.id);
      perWorkload.set(w.id, { n: (cur?.n ?? 0) + n, at: Math.min(cur?.at ?? Infinity, at), w });
    }
    const isInit = init(name);
    for (const { n, at, w } of perWorkload.values()) {
      add(
        w,
        'crash',
        0.35 + 0.2 * Math.min(3, n),
        at,
        `${n} ${isInit ? 'init-container ' : ''}restart(s) in the window, first at ${clock(at)}`,
      );
      if (isInit) add(w, 'pending', 0.6, at, `init container restarting ${n} time(s): pods never start`);
    }
  }

  // Why containers last stopped, and why they wait.
  const REASONS: Record<string, [SymptomKind, number]> = {
    OOMKilled: ['oom', 0.85],
    CrashLoopBackOff: ['crash', 0.7],
    ImagePullBackOff: ['image', 0.85],
    ErrImagePull: ['image', 0.85],
    InvalidImageName: ['image', 0.85],
    CreateContainerConfigError: ['config', 0.7],
    CreateContainerError: ['config', 0.5],
    ContainerCreating: ['pending', 0.35],
    PodInitializing: ['pending', 0.5],
  };
  for (const name of [
    'kube_pod_container_status_last_terminated_reason',
    'kube_pod_container_status_waiting_reason',
    'kube_pod_init_container_status_waiting_reason',
    'kube_pod_init_container_status_last_terminated_reason',
  ]) {
    const seen = new Set<string>();
    for (const m of series(name)) {
      const reason = m.labels.reason ?? '';
      const rule = REASONS[reason];
      const w = podWorkload(m);
      if (!rule || !w) continue;
      const on = points(m).filter((p) => p[1] >= 1);
      // Waiting briefly while starting is normal; a reason that holds for 20 s is not.
      const need = reason === 'ContainerCreating' || reason === 'PodInitializing' ? 5 : 1;
      if (on.length < need) continue;
      const key = `${w.id}|${reason}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const what = name.includes('terminated') ? 'last terminated' : 'waiting';
      add(
        w,
        rule[0],
        rule[1],
        on[0][0],
        `${name.includes('init') ? 'init container ' : ''}${what}: ${reason} (pod ${m.labels.pod}, from ${clock(on[0][0])})`,
      );
    }
  }

  // Pod phase and readiness, held long enough to matter.
  for (const m of series('kube_pod_status_phase')) {
    const phase = m.labels.phase;
    if (phase !== 'Pending' && phase !== 'Failed') continue;
    const w = podWorkload(m);
    const run = longestRun(points(m), (v) => v >= 1);
    if (!w || !run || run.length < 4) continue;
    add(
      w,
      phase === 'Pending' ? 'pending' : 'crash',
      phase === 'Pending' ? 0.55 : 0.3,
      run.start,
      `pod ${m.labels.pod} ${phase} for ${Math.round(run.ms / 1000)}s from ${clock(run.start)}`,
    );
  }
  const notReady = new Map<EntityId, { w: Workload; at: number; pods: Set<string> }>();
  for (const m of series('kube_pod_status_ready')) {
    if (m.labels.condition !== 'false') continue;
    const w = podWorkload(m);
    const run = longestRun(points(m), (v) => v >= 1);
    if (!w || !run || run.ms < 20_000) continue;
    const cur = notReady.get(w.id) ?? { w, at: run.start, pods: new Set<string>() };
    cur.at = Math.min(cur.at, run.start);
    cur.pods.add(m.labels.pod ?? '?');
    notReady.set(w.id, cur);
  }
  for (const { w, at, pods } of notReady.values())
    add(
      w,
      'not-ready',
      0.45,
      at,
      `${pods.size} pod(s) not ready for 20s+ from ${clock(at)} (${[...pods].slice(0, 3).join(', ')})`,
    );

  deploymentReplicas(series, index, ev);
  resources(series, podWorkload, index, add, firstRestart);
  red(series, index, add, ev);
  stoppedConsumers(series, index, add);

  for (const m of series('up')) {
    const w = podWorkload(m);
    const run = longestRun(points(m), (v) => v === 0);
    if (w && run && run.ms >= 20_000)
      add(
        w,
        'unreachable',
        0.25,
        run.start,
        `metrics endpoint of ${m.labels.pod} not answering scrapes from ${clock(run.start)}`,
      );
  }
  objectStateMetrics(series, index, ev);
  return ev;
}

function deploymentReplicas(series: (n: string) => MetricSeries[], index: EntityIndex, ev: Evidence): void {
  const available = new Map<string, Pt[]>();
  for (const m of series('kube_deployment_status_replicas_available'))
    available.set(`${m.labels.namespace}/${m.labels.deployment}`, points(m));
  for (const m of series('kube_deployment_spec_replicas')) {
    const { namespace, deployment } = m.labels;
    if (!namespace || !deployment) continue;
    const id = makeId(namespace, 'Deployment', deployment);
    const pts = points(m);
    if (pts.length === 0) continue;
    // Desired replicas dropping: a scale-down somebody (or an autoscaler) made.
    for (let i = 1; i < pts.length; i++) {
      const [t, v] = pts[i];
      const prev = pts[i - 1][1];
      if (v >= prev) continue;
      const hpa = autoscalerOf(id, index);
      ev.suspects.push({
        signal: 'metrics',
        entity: id,
        weight: v === 0 ? 0.85 : 0.3,
        at: t,
        affects: [id],
        explains: ['unavailable', 'unreachable', 'not-ready', 'errors', 'latency', 'saturation'],
        detail: `desired replicas dropped from ${prev} to ${v} at ${clock(t)}`,
      });
      if (hpa)
        ev.suspects.push({
          signal: 'metrics',
          entity: hpa,
          weight: 0.55,
          at: t,
          affects: [id],
          explains: ['unavailable', 'saturation', 'latency', 'errors', 'not-ready'],
          detail: `autoscales ${shortId(id)}, whose desired replicas dropped from ${prev} to ${v} at ${clock(t)}`,
        });
      break;
    }
    const avail = available.get(`${namespace}/${deployment}`);
    if (!avail) continue;
    const short: Pt[] = [];
    for (const [t, want] of pts) {
      const have = valueAt(avail, t);
      if (have !== undefined && want > 0 && have < want) short.push([t, want - have]);
    }
    const run = consecutive(short, pts);
    if (run && run.ms >= 25_000) {
      const w = index.workloads.get(id);
      if (w)
        ev.symptoms.push({
          signal: 'metrics',
          workload: w.id,
          kind: 'not-ready',
          weight: 0.5,
          at: run.start,
          detail: `fewer replicas available than desired for ${Math.round(run.ms / 1000)}s from ${clock(run.start)}`,
        });
    }
  }
}

function resources(
  series: (n: string) => MetricSeries[],
  podWorkload: (m: MetricSeries) => Workload | undefined,
  index: EntityIndex,
  add: AddSymptom,
  /** When each pod's container first restarted in the window, by `namespace/pod`. */
  firstRestart: ReadonlyMap<string, number>,
): void {
  const limit = new Map<string, { cpu?: number; memory?: number }>();
  for (const m of series('kube_pod_container_resource_limits')) {
    const key = `${m.labels.namespace}/${m.labels.pod}/${m.labels.container}`;
    const v = lastValue(m);
    if (v === undefined) continue;
    const cur = limit.get(key) ?? {};
    if (m.labels.resource === 'cpu') cur.cpu = v;
    if (m.labels.resource === 'memory') cur.memory = v;
    limit.set(key, cur);
  }
  for (const m of series('container_spec_memory_limit_bytes')) {
    const key = `${m.labels.namespace}/${m.labels.pod}/${m.labels.container}`;
    const v = lastValue(m);
    if (v && v > 0 && v < 2 ** 60) limit.set(key, { ...limit.get(key), memory: v });
  }
  const templateLimit = (
    w: Workload | undefined,
    container: string | undefined,
    res: 'cpu' | 'memory',
  ): number | undefined => {
    const c =
      w?.template?.spec?.containers?.find((x) => x.name === container) ?? w?.template?.spec?.containers?.[0];
    return quantity(c?.resources?.limits?.[res]);
  };
  const seen = new Set<string>();
  // CPU use against the limit, per pod.
  for (const m of series('container_cpu_usage_seconds_total')) {
    const w = podWorkload(m);
    if (!w || !m.labels.container || m.labels.container === 'POD') continue;
    const key = `${m.labels.namespace}/${m.labels.pod}/${m.labels.container}`;
    const lim = limit.get(key)?.cpu ?? templateLimit(w, m.labels.container, 'cpu');
    if (!lim) continue;
    const rate = rates(points(m), 30_000);
    const hot = rate.filter(([, r]) => r / lim > 0.8);
    if (hot.length < 2 || seen.has(`cpu|${w.id}`)) continue;
    seen.add(`cpu|${w.id}`);
    const peak = Math.max(...rate.map(([, r]) => r / lim));
    add(
      w,
      'saturation',
      0.45 + 0.4 * clamp01((peak - 0.8) * 4),
      hot[0][0],
      `CPU at ${Math.round(peak * 100)}% of its ${fmtCpu(lim)} limit (pod ${m.labels.pod}, from ${clock(hot[0][0])})`,
    );
  }
  // Throttling: the share of CFS periods in which the container was held back.
  const periods = new Map<string, Pt[]>();
  for (const m of series('container_cpu_cfs_periods_total'))
    periods.set(`${m.labels.namespace}/${m.labels.pod}/${m.labels.container}`, points(m));
  for (const m of series('container_cpu_cfs_throttled_periods_total')) {
    const w = podWorkload(m);
    const all = periods.get(`${m.labels.namespace}/${m.labels.pod}/${m.labels.container}`);
    if (!w || !all || seen.has(`thr|${w.id}`)) continue;
    const thr = rates(points(m), 30_000);
    const tot = rates(all, 30_000);
    const shares: Pt[] = [];
    for (const [t, r] of thr) {
      const d = valueAt(tot, t);
      if (d && d > 0) shares.push([t, r / d]);
    }
    const hot = shares.filter(([, s]) => s > 0.25);
    if (hot.length < 2) continue;
    seen.add(`thr|${w.id}`);
    const peak = Math.max(...shares.map(([, s]) => s));
    // Throttled only once its container had begun restarting: each start (loading, compiling) spends its
    // CPU budget at once, so the restarts explain the throttling, not the other way round.
    const restarted = firstRestart.get(`${m.labels.namespace}/${m.labels.pod}`);
    const afterRestarts = restarted !== undefined && hot[0][0] >= restarted;
    add(
      w,
      'saturation',
      (0.5 + 0.4 * clamp01(peak)) * (afterRestarts ? STARTUP_THROTTLING : 1),
      hot[0][0],
      `CPU throttled in ${Math.round(peak * 100)}% of periods (pod ${m.labels.pod}, from ${clock(hot[0][0])})${afterRestarts ? ', only once its container was restarting (start-up work)' : ''}`,
    );
  }
  // Memory growing towards the limit.
  const workingSets = series('container_memory_working_set_bytes');
  const firstScrape = Math.min(...workingSets.map((m) => points(m)[0]?.[0] ?? Infinity));
  for (const m of workingSets) {
    const w = podWorkload(m);
    if (!w || !m.labels.container || m.labels.container === 'POD' || seen.has(`mem|${w.id}|${m.labels.pod}`))
      continue;
    const key = `${m.labels.namespace}/${m.labels.pod}/${m.labels.container}`;
    const lim = limit.get(key)?.memory ?? templateLimit(w, m.labels.container, 'memory');
    const pts = points(m);
    if (!lim || pts.length < 4) continue;
    const ratios = pts.map(([t, v]) => [t, v / lim] as Pt);
    const maxR = Math.max(...ratios.map((p) => p[1]));
    // A pod started inside the window is first scraped while its process is still loading: growth from
    // that sample is a start-up, not a leak. Its baseline starts once it has run for a while.
    const born = pts[0][0] > firstScrape + WARMUP_MS;
    const settled = born ? ratios.filter(([t]) => t >= pts[0][0] + WARMUP_MS) : ratios;
    if (settled.length < 2) continue;
    const minR = Math.min(...settled.slice(0, Math.max(1, settled.length >> 1)).map((p) => p[1]));
    const grew = maxR - minR;
    if (maxR < 0.6 || grew < 0.15) continue;
    seen.add(`mem|${w.id}|${m.labels.pod}`);
    const at = ratios.find((p) => p[1] >= minR + grew * 0.25)?.[0] ?? pts[0][0];
    add(
      w,
      'memory',
      clamp01((maxR - 0.5) * 2) * clamp01(grew * 3),
      at,
      `working set grew from ${pct(minR)} to ${pct(maxR)} of its ${fmtBytes(lim)} limit (pod ${m.labels.pod})`,
    );
  }
}

function red(series: (n: string) => MetricSeries[], index: EntityIndex, add: AddSymptom, ev: Evidence): void {
  // 5xx share per service, summed over pods and routes.
  const perService = new Map<string, { ns: string; all: Map<number, number>; bad: Map<number, number> }>();
  for (const m of series('http_server_requests_total')) {
    const svc = m.labels.service ?? m.labels.app;
    if (!svc) continue;
    const cur = perService.get(svc) ?? { ns: m.labels.namespace ?? '', all: new Map(), bad: new Map() };
    const d = deltas(points(m));
    const bad = /^5/.test(m.labels.status ?? m.labels.code ?? '');
    for (const [t, v] of d) {
      cur.all.set(t, (cur.all.get(t) ?? 0) + v);
      if (bad) cur.bad.set(t, (cur.bad.get(t) ?? 0) + v);
    }
    perService.set(svc, cur);
  }
  for (const [svc, { ns, all, bad }] of perService) {
    const share: Pt[] = [...all.entries()]
      .filter(([, n]) => n > 0)
      .map(([t, n]) => [t, (bad.get(t) ?? 0) / n]);
    const shift = upwardShift(share, 3);
    if (!shift || shift.after < 0.05 || shift.after - shift.before < 0.04) continue;
    add(
      index.workloadByTelemetry(svc, ns),
      'errors',
      0.35 * clamp01(shift.after * 4),
      shift.at,
      `5xx share of its responses rose from ${pct(shift.before)} to ${pct(shift.after)} at ${clock(shift.at)}`,
    );
  }
  // Calls that got no answer (status "error"), per caller and dependency.
  const perEdge = new Map<
    string,
    { ns: string; caller: string; dep: string; all: Map<number, number>; bad: Map<number, number> }
  >();
  for (const m of series('http_client_requests_total')) {
    const caller = m.labels.service ?? m.labels.app;
    const dep = m.labels.dependency;
    if (!caller || !dep) continue;
    const key = `${caller}|${dep}`;
    const cur = perEdge.get(key) ?? {
      ns: m.labels.namespace ?? '',
      caller,
      dep,
      all: new Map(),
      bad: new Map(),
    };
    const noAnswer = m.labels.status === 'error';
    for (const [t, v] of deltas(points(m))) {
      cur.all.set(t, (cur.all.get(t) ?? 0) + v);
      if (noAnswer) cur.bad.set(t, (cur.bad.get(t) ?? 0) + v);
    }
    perEdge.set(key, cur);
  }
  for (const { ns, caller, dep, all, bad } of perEdge.values()) {
    const from = index.workloadByTelemetry(caller, ns);
    const to = index.workloadByTelemetry(dep, ns);
    if (from && to && from.id !== to.id) ev.calls.push({ from: from.id, to: to.id });
    const share: Pt[] = [...all.entries()]
      .filter(([, n]) => n > 0)
      .map(([t, n]) => [t, (bad.get(t) ?? 0) / n]);
    const shift = upwardShift(share, 3);
    if (!shift || shift.after < 0.1) continue;
    add(
      to,
      'unreachable',
      0.3 * clamp01(shift.after * 2),
      shift.at,
      `${caller}'s calls to it without an answer rose from ${pct(shift.before)} to ${pct(shift.after)} at ${clock(shift.at)}`,
      from,
    );
  }
  // Data store errors, seen from the callers: Redis commands, and PostgreSQL statements the server
  // refused or cancelled (a statement that waited in vain for the caller's own pool is the caller's).
  for (const store of STORES) {
    const all = new Map<number, number>();
    const bad = new Map<number, number>();
    let ns = '';
    for (const m of series(store.metric)) {
      ns = m.labels.namespace ?? ns;
      const err = store.failed(m.labels);
      for (const [t, v] of deltas(points(m))) {
        all.set(t, (all.get(t) ?? 0) + v);
        if (err) bad.set(t, (bad.get(t) ?? 0) + v);
      }
    }
    const share: Pt[] = [...all.entries()]
      .filter(([, n]) => n > 0)
      .map(([t, n]) => [t, (bad.get(t) ?? 0) / n]);
    const shift = upwardShift(share, 3);
    if (shift && shift.after > 0.05)
      add(
        index.workloadByTelemetry(store.name, ns),
        'errors',
        0.35 * clamp01(shift.after * 3),
        shift.at,
        `${store.what} failing: ${pct(shift.before)} → ${pct(shift.after)} from ${clock(shift.at)}`,
      );
  }
}

const STORES: ReadonlyArray<{
  name: string;
  what: string;
  metric: string;
  failed: (labels: Record<string, string>) => boolean;
}> = [
  {
    name: 'redis',
    what: 'Redis commands',
    metric: 'redis_commands_total',
    failed: (l) => l.status === 'error',
  },
  {
    name: 'postgres',
    what: 'PostgreSQL statements',
    metric: 'db_client_operations_total',
    failed: (l) => l.outcome !== undefined && l.outcome !== 'ok' && l.outcome !== POOL_TIMEOUT,
  },
];

/**
 * A consumer group that stopped taking messages: its lag grows to the end of the window while it handles
 * none at all, not even failures, after handling some before. A consumer failing on its messages (a lock, a
 * poison message) counts those; one that is down leaves its series behind (restarts show elsewhere).
 */
function stoppedConsumers(series: (n: string) => MetricSeries[], index: EntityIndex, add: AddSymptom): void {
  const handled = new Map<string, Pt[]>();
  for (const m of series('queue_messages_processed_total')) {
    const key = `${m.labels.namespace}|${m.labels.service}|${m.labels.group}`;
    const list = handled.get(key) ?? [];
    list.push(...deltas(points(m)));
    handled.set(key, list);
  }
  const lags = new Map<string, { labels: Record<string, string>; pts: Pt[] }>();
  for (const m of series('queue_consumer_lag')) {
    const key = `${m.labels.namespace}|${m.labels.service}|${m.labels.group}`;
    const cur = lags.get(key) ?? { labels: m.labels, pts: [] };
    cur.pts.push(...points(m));
    lags.set(key, cur);
  }
  for (const [key, { labels, pts }] of lags) {
    pts.sort((a, b) => a[0] - b[0]);
    // The start of the last stretch in which the lag never fell back to zero.
    let from = -1;
    for (let i = 0; i < pts.length; i++) if (pts[i][1] <= 0) from = i;
    const stretch = pts.slice(from + 1);
    if (stretch.length < 6) continue;
    const at = stretch[0][0];
    const last = stretch[stretch.length - 1][1];
    const done = handled.get(key) ?? [];
    const before = done.filter(([t, v]) => t < at && v > 0).length;
    const since = done.filter(([t]) => t >= at).reduce((n, [, v]) => n + v, 0);
    if (last < 10 || before === 0 || since > 0) continue;
    add(
      index.workloadByTelemetry(labels.service ?? '', labels.namespace),
      'unavailable',
      0.55,
      at,
      `group ${labels.group ?? '?'} stopped taking messages from ${labels.queue ?? 'its queue'} at ${clock(at)}: none handled since, ${Math.round(last)} waiting`,
    );
  }
}

/** Autoscalers, quotas and nodes as kube-state-metrics reports them. */
function objectStateMetrics(series: (n: string) => MetricSeries[], index: EntityIndex, ev: Evidence): void {
  const max = new Map<string, number>();
  for (const m of series('kube_horizontalpodautoscaler_spec_max_replicas')) {
    const v = lastValue(m);
    if (v !== undefined) max.set(`${m.labels.namespace}/${m.labels.horizontalpodautoscaler}`, v);
  }
  for (const m of series('kube_horizontalpodautoscaler_status_current_replicas')) {
    const key = `${m.labels.namespace}/${m.labels.horizontalpodautoscaler}`;
    const cap = max.get(key);
    const atMax = points(m).filter((p) => cap !== undefined && p[1] >= cap);
    if (atMax.length < 4 || !m.labels.namespace || !m.labels.horizontalpodautoscaler) continue;
    const id = makeId(m.labels.namespace, 'HorizontalPodAutoscaler', m.labels.horizontalpodautoscaler);
    const ref = specOf<{ scaleTargetRef?: { kind?: string; name?: string } }>(index.get(id)).scaleTargetRef;
    const target = ref?.kind && ref.name ? makeId(m.labels.namespace, ref.kind, ref.name) : undefined;
    ev.suspects.push({
      signal: 'metrics',
      entity: id,
      weight: 0.3,
      at: atMax[0][0],
      affects: target ? [target] : [],
      explains: ['unavailable', 'saturation', 'latency', 'errors'],
      detail: `running at its maximum of ${cap} replicas from ${clock(atMax[0][0])}`,
    });
  }
  const hard = new Map<string, number>();
  for (const m of series('kube_resourcequota')) {
    if (m.labels.type === 'hard')
      hard.set(
        `${m.labels.namespace}/${m.labels.resourcequota}/${m.labels.resource}`,
        lastValue(m) ?? Infinity,
      );
  }
  for (const m of series('kube_resourcequota')) {
    if (m.labels.type !== 'used' || !m.labels.namespace || !m.labels.resourcequota) continue;
    const cap = hard.get(`${m.labels.namespace}/${m.labels.resourcequota}/${m.labels.resource}`);
    const full = points(m).filter((p) => cap !== undefined && cap > 0 && p[1] >= cap);
    if (full.length < 4) continue;
    const ns = m.labels.namespace;
    ev.suspects.push({
      signal: 'metrics',
      entity: makeId(ns, 'ResourceQuota', m.labels.resourcequota),
      weight: 0.45,
      at: full[0][0],
      affects: [...index.workloads.values()].filter((w) => w.namespace === ns).map((w) => w.id),
      explains: ['unavailable', 'pending', 'not-ready'],
      detail: `${m.labels.resource} fully used (${cap}) from ${clock(full[0][0])}`,
    });
  }
  for (const m of series('kube_node_spec_unschedulable')) {
    const run = longestRun(points(m), (v) => v >= 1);
    if (!run || !m.labels.node) continue;
    ev.suspects.push({
      signal: 'metrics',
      entity: makeId(undefined, 'Node', m.labels.node),
      weight: 0.45,
      at: run.start,
      affects: [],
      explains: ['pending', 'unavailable', 'not-ready'],
      detail: `unschedulable (cordoned) from ${clock(run.start)}`,
    });
  }
}

function autoscalerOf(target: EntityId, index: EntityIndex): EntityId | undefined {
  for (const h of index.objectsOfKind('HorizontalPodAutoscaler')) {
    const ref = specOf<{ scaleTargetRef?: { kind?: string; name?: string } }>(h).scaleTargetRef;
    if (ref?.kind && ref.name && makeId(h.metadata.namespace, ref.kind, ref.name) === target) return h.entity;
  }
  return undefined;
}

/** Points as [ms, number], dropping NaN and infinities. */
export function points(m: MetricSeries): Pt[] {
  const out: Pt[] = [];
  for (const [t, v] of m.points) {
    const n = typeof v === 'number' ? v : Number.NaN;
    if (Number.isFinite(n)) out.push([t * 1000, n]);
  }
  return out;
}

function lastValue(m: MetricSeries): number | undefined {
  const p = points(m);
  return p.length > 0 ? p[p.length - 1][1] : undefined;
}

/** Counter increments between consecutive points (a reset counts from zero). */
function deltas(pts: Pt[]): Pt[] {
  const out: Pt[] = [];
  for (let i = 1; i < pts.length; i++) {
    const d = pts[i][1] - pts[i - 1][1];
    out.push([pts[i][0], d >= 0 ? d : pts[i][1]]);
  }
  return out;
}

/** Per-second rate of a counter over a trailing span. */
function rates(pts: Pt[], spanMs: number): Pt[] {
  const out: Pt[] = [];
  let j = 0;
  for (let i = 1; i < pts.length; i++) {
    while (pts[i][0] - pts[j][0] > spanMs && j < i - 1) j++;
    const dt = (pts[i][0] - pts[j][0]) / 1000;
    const dv = pts[i][1] - pts[j][1];
    if (dt > 0 && dv >= 0) out.push([pts[i][0], dv / dt]);
  }
  return out;
}

function valueAt(pts: Pt[], t: number): number | undefined {
  let best: Pt | undefined;
  for (const p of pts)
    if (Math.abs(p[0] - t) <= 3000 && (!best || Math.abs(p[0] - t) < Math.abs(best[0] - t))) best = p;
  return best?.[1];
}

/** The longest stretch of consecutive points satisfying `pred`. */
function longestRun(
  pts: Pt[],
  pred: (v: number) => boolean,
): { start: number; length: number; ms: number } | null {
  let best: { start: number; length: number; ms: number } | null = null;
  let i = 0;
  while (i < pts.length) {
    if (!pred(pts[i][1])) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < pts.length && pred(pts[j + 1][1])) j++;
    const run = { start: pts[i][0], length: j - i + 1, ms: pts[j][0] - pts[i][0] + 5000 };
    if (!best || run.length > best.length) best = run;
    i = j + 1;
  }
  return best;
}

/** Longest run of `hits` timestamps that are consecutive points of `grid`. */
function consecutive(hits: Pt[], grid: Pt[]): { start: number; ms: number } | null {
  const set = new Set(hits.map((h) => h[0]));
  const run = longestRun(
    grid.map(([t]) => [t, set.has(t) ? 1 : 0] as Pt),
    (v) => v === 1,
  );
  return run ? { start: run.start, ms: run.ms } : null;
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const fmtCpu = (c: number): string => (c < 1 ? `${Math.round(c * 1000)}m` : `${c}`);
const fmtBytes = (b: number): string => `${Math.round(b / 1024 / 1024)}Mi`;
