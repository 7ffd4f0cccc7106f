import type { EventRecord, ObjectRecord } from '../../../src/bundle/records.js';
import type { EntityId } from '../../../src/entities/index.js';
import { shortId } from '../edge-blame.js';
import { eventTime, foldedFromBefore } from '../event-time.js';
import type { EntityIndex, Workload } from '../entity-index.js';
import { clamp01, emptyEvidence, type Evidence, type Suspect, type SymptomKind } from '../evidence.js';
import { idParts, makeId, quantity, specOf, statusOf } from '../kube.js';
import type { Snapshot } from '../read-snapshot.js';
import { clock, isoMs } from '../time.js';

interface Ctx {
  snap: Snapshot;
  index: EntityIndex;
  ev: Evidence;
  pendingWorkloads: Set<EntityId>;
  pods: Map<EntityId, PodTimes>;
}

/**
 * Kubernetes events mapped to the workload that owns their object (Pod → ReplicaSet → Deployment).
 * Warnings name symptoms (BackOff, Unhealthy, FailedScheduling...), and many name the cause outright:
 * a quota in FailedCreate, unschedulable nodes or a missing claim in FailedScheduling, an autoscaler
 * capping replicas in SuccessfulRescale. Pods deleted from outside (Killing without the ReplicaSet
 * deleting them) are a change to their workload.
 */
export function eventSignal(snap: Snapshot, index: EntityIndex): Evidence {
  const events = [...snap.events].sort(
    (a, b) => (isoMs(a.firstTimestamp) ?? 0) - (isoMs(b.firstTimestamp) ?? 0),
  );
  const ctx: Ctx = {
    snap,
    index,
    ev: emptyEvidence(),
    pendingWorkloads: new Set(),
    pods: podTimes(events),
  };
  for (const e of events) handle(e, ctx);
  externalDeletions(events, ctx);
  // Cordoned nodes explain the pods that found no node.
  for (const s of ctx.ev.suspects) {
    if (idParts(s.entity).kind === 'Node' && s.affects.length === 0) s.affects.push(...ctx.pendingWorkloads);
  }
  return ctx.ev;
}

/** How long after a container's start a refused probe is its start, not its failure. */
const STARTUP_GRACE_MS = 20_000;
/** How long after the kubelet began stopping a container a refused probe is the stop (the default grace). */
const STOPPING_GRACE_MS = 30_000;

/** When each pod's containers started and when the kubelet began stopping them, as far as the snapshot says. */
interface PodTimes {
  starts: number[];
  stops: number[];
}

interface ContainerStatusLike {
  state?: { running?: { startedAt?: string } };
  lastState?: { terminated?: { startedAt?: string } };
}

/**
 * Container starts and stops per pod from the events: `Started` (a pod deleted since is no longer among the
 * objects) and `Killing` (a stopping process closes its port before it exits).
 */
function podTimes(events: readonly EventRecord[]): Map<EntityId, PodTimes> {
  const out = new Map<EntityId, PodTimes>();
  const get = (id: EntityId): PodTimes => {
    let t = out.get(id);
    if (!t) out.set(id, (t = { starts: [], stops: [] }));
    return t;
  };
  const push = (list: number[], ...times: Array<number | null>): void => {
    for (const t of times) if (t !== null) list.push(t);
  };
  for (const e of events) {
    const obj = e.involvedObject;
    if (obj?.kind !== 'Pod' || (e.reason !== 'Started' && e.reason !== 'Killing')) continue;
    const t = get(e.entity ?? makeId(obj.namespace, obj.kind, obj.name));
    push(e.reason === 'Started' ? t.starts : t.stops, isoMs(e.firstTimestamp), isoMs(e.lastTimestamp));
  }
  return out;
}

/**
 * True when each refusal the event folds (its first and its last: at most two) came while a container
 * was starting or being stopped: the process was not listening yet, or no longer. Starts are also read
 * off the pod (its creation, its containers' current and previous starts: a container the kubelet
 * restarted listens again only once its process is up). A refusal folded from before the window counts
 * too when both fell on such moments (the pod's creation, then a restart).
 */
function refusedInLifecycle(
  e: EventRecord,
  times: PodTimes | undefined,
  pod: ObjectRecord | undefined,
): boolean {
  const starts = [...(times?.starts ?? [])];
  const push = (t: string | undefined): void => {
    const ms = isoMs(t);
    if (ms !== null) starts.push(ms);
  };
  push(pod?.metadata.creationTimestamp);
  for (const c of statusOf<{ containerStatuses?: ContainerStatusLike[] }>(pod).containerStatuses ?? []) {
    push(c.state?.running?.startedAt);
    push(c.lastState?.terminated?.startedAt);
  }
  const stops = times?.stops ?? [];
  const within = (t: number, from: readonly number[], grace: number): boolean =>
    from.some((s) => t - s >= 0 && t - s <= grace);
  const near = (t: number | null): boolean =>
    t !== null && (within(t, starts, STARTUP_GRACE_MS) || within(t, stops, STOPPING_GRACE_MS));
  const first = isoMs(e.firstTimestamp);
  const last = isoMs(e.lastTimestamp) ?? first;
  return near(first ?? last) && near(last);
}

function handle(e: EventRecord, ctx: Ctx): void {
  const { index, ev } = ctx;
  const count = Math.max(1, e.count ?? 1);
  // A warning repeating since before the window says nothing about when this trouble began.
  const at = foldedFromBefore(e, ctx.snap.window.start) ? null : eventTime(e, ctx.snap.window.start);
  const obj = e.involvedObject ?? { kind: '', name: '' };
  const id = e.entity ?? makeId(obj.namespace, obj.kind, obj.name);
  if (obj.kind === 'Pod' && index.isBatchPod(id)) return;
  const w = ownerWorkload(e, id, index);
  const msg = e.message ?? '';
  const symptom = (kind: SymptomKind, weight: number, detail: string): void => {
    if (w)
      ev.symptoms.push({
        signal: 'events',
        workload: w.id,
        kind,
        weight: clamp01(weight),
        at,
        detail: `${detail} (${e.reason} on ${shortId(id)}, ×${count})`,
      });
  };
  const suspect = (s: Omit<Suspect, 'signal' | 'at'> & { at?: number | null }): void => {
    ev.suspects.push({ signal: 'events', at: at, ...s });
  };
  const quoted = (text: string, n = 120): string => `"${text.replace(/\s+/g, ' ').slice(0, n)}"`;

  switch (e.reason) {
    case 'BackOff':
    case 'CrashLoopBackOff': {
      if (/pull/i.test(msg)) {
        symptom('image', 0.8, `image pull backing off: ${quoted(msg)}`);
        if (w)
          suspect({
            entity: w.id,
            weight: 0.6,
            affects: [w.id],
            explains: ['image', 'pending', 'not-ready', 'unavailable'],
            detail: `its pods cannot pull their image: ${quoted(msg)}`,
          });
        return;
      }
      const container = msg.match(/failed container "?([a-z0-9-]+)"?/i)?.[1];
      const init = !!(w && container && isInitContainer(w, container, index));
      if (init && w) {
        symptom('pending', 0.7, `init container ${container} keeps failing`);
        symptom('crash', 0.4, `init container ${container} restarting`);
        suspect({
          entity: w.id,
          weight: 0.55,
          affects: [w.id],
          explains: ['pending', 'crash', 'not-ready'],
          detail: `init container ${container} of its pods fails: ${quoted(msg)}`,
        });
      } else
        symptom(
          'crash',
          0.5 + 0.1 * Math.min(4, count),
          `container restarting with back-off: ${quoted(msg, 80)}`,
        );
      return;
    }
    case 'Failed':
    case 'ErrImagePull':
    case 'ImagePullBackOff':
    case 'InspectFailed':
    case 'ErrImageNeverPull': {
      // A missing ConfigMap or Secret also reads "not found": it is told apart by what is missing.
      if (/CreateContainerConfigError|(configmap|secret)s? "[^"]*" not found|couldn't find key/i.test(msg)) {
        symptom('config', 0.8, `container cannot be configured: ${quoted(msg)}`);
        if (w)
          suspect({
            entity: w.id,
            weight: 0.45,
            affects: [w.id],
            explains: ['config', 'pending', 'not-ready'],
            detail: `refers to configuration that is missing: ${quoted(msg)}`,
          });
        missingRef(msg, obj.namespace, ctx, w, suspect);
      } else if (
        /ErrImagePull|ImagePullBackOff|pull|manifest unknown|not found|repository does not exist|InvalidImageName/i.test(
          msg + e.reason,
        )
      ) {
        symptom('image', 0.9, `image cannot be pulled: ${quoted(msg)}`);
        if (w)
          suspect({
            entity: w.id,
            weight: 0.65,
            affects: [w.id],
            explains: ['image', 'pending', 'not-ready', 'unavailable'],
            detail: `names an image that cannot be pulled: ${quoted(msg)}`,
          });
      } else symptom('crash', 0.5, `container failed: ${quoted(msg)}`);
      return;
    }
    case 'Unhealthy': {
      // A probe or two refused while a container is still starting to listen, or already stopping: every
      // start and every replacement can show one, and the kubelet waits for more before it acts.
      if (
        /connection refused/i.test(msg) &&
        count <= 2 &&
        refusedInLifecycle(e, ctx.pods.get(id), index.get(id))
      ) {
        symptom(
          /liveness|startup/i.test(msg) ? 'crash' : 'not-ready',
          0.05,
          `probe refused while its container started or stopped: ${quoted(msg)}`,
        );
        return;
      }
      const probeWrong =
        /statuscode: 404|status code 404|connection refused|no such file|executable file not found/i.test(
          msg,
        );
      if (/liveness|startup/i.test(msg)) {
        symptom('crash', 0.55, `liveness probe failing: ${quoted(msg)}`);
        if (probeWrong && w)
          suspect({
            entity: w.id,
            weight: 0.5,
            affects: [w.id],
            explains: ['crash', 'not-ready', 'unreachable', 'errors'],
            detail: `its liveness probe checks something the container does not serve: ${quoted(msg)}`,
          });
      } else {
        symptom('not-ready', probeWrong ? 0.6 : 0.4, `readiness probe failing: ${quoted(msg)}`);
        if (probeWrong && w)
          suspect({
            entity: w.id,
            weight: 0.5,
            affects: [w.id],
            explains: ['not-ready', 'unavailable'],
            detail: `its readiness probe checks something the container does not serve: ${quoted(msg)}`,
          });
      }
      return;
    }
    case 'FailedScheduling': {
      if (w) ctx.pendingWorkloads.add(w.id);
      symptom('pending', 0.75, `pod cannot be scheduled: ${quoted(msg, 160)}`);
      const claim = msg.match(/persistentvolumeclaim "([^"]+)" not found/i)?.[1];
      if (claim && w)
        suspect({
          entity: w.id,
          weight: 0.85,
          affects: [w.id],
          explains: ['pending', 'unavailable', 'not-ready'],
          detail: `its pods mount claim "${claim}", which does not exist`,
        });
      if (/node affinity\/selector|didn't match Pod's node|node\(s\) didn't match/i.test(msg) && w)
        suspect({
          entity: w.id,
          weight: 0.8,
          affects: [w.id],
          explains: ['pending', 'unavailable'],
          detail: `no node satisfies its pods' node selector or affinity: ${quoted(msg, 160)}`,
        });
      if (/unschedulable/i.test(msg)) {
        for (const n of index.objectsOfKind('Node')) {
          if (specOf<{ unschedulable?: boolean }>(n).unschedulable)
            suspect({
              entity: n.entity,
              weight: 0.85,
              affects: w ? [w.id] : [],
              explains: ['pending', 'unavailable', 'unreachable', 'not-ready'],
              detail: `cordoned, and pods find no schedulable node: ${quoted(msg, 160)}`,
            });
        }
      }
      if (/Insufficient (cpu|memory)/i.test(msg) && w)
        suspect({
          entity: w.id,
          weight: 0.45,
          affects: [w.id],
          explains: ['pending', 'unavailable'],
          detail: `its pods request more than any node has free: ${quoted(msg, 160)}`,
        });
      const unbound = /unbound immediate PersistentVolumeClaims/i.test(msg);
      if (unbound && w)
        suspect({
          entity: w.id,
          weight: 0.4,
          affects: [w.id],
          explains: ['pending'],
          detail: `its claim is not bound: ${quoted(msg, 160)}`,
        });
      return;
    }
    case 'FailedCreate': {
      const quota = msg.match(/exceeded quota: ([a-z0-9.-]+)/i)?.[1];
      const ranges =
        !quota && obj.namespace && limitRangeRefusal(msg) ? limitRangesFor(index, obj.namespace, msg) : [];
      if (quota && obj.namespace) {
        symptom('unavailable', 0.8, `pods refused by quota ${quota}`);
        suspect({
          entity: makeId(obj.namespace, 'ResourceQuota', quota),
          weight: 0.95,
          affects: w ? [w.id] : [],
          explains: ['unavailable', 'pending', 'unreachable', 'not-ready'],
          detail: `refuses new pods: ${quoted(msg, 180)}`,
          standalone: true,
        });
      } else if (ranges.length > 0) {
        symptom('unavailable', 0.8, `pods refused by a LimitRange: ${quoted(msg, 160)}`);
        for (const r of ranges)
          suspect({
            entity: r.entity,
            weight: 0.95 / ranges.length,
            affects: w ? [w.id] : [],
            explains: ['unavailable', 'pending', 'unreachable', 'not-ready'],
            detail: `holds new pods to limits they exceed: ${quoted(msg, 180)}`,
            standalone: true,
          });
      } else {
        symptom('unavailable', 0.5, `pods cannot be created: ${quoted(msg, 160)}`);
        if (w)
          suspect({
            entity: w.id,
            weight: 0.35,
            affects: [w.id],
            explains: ['unavailable', 'pending'],
            detail: `its pods are refused: ${quoted(msg, 160)}`,
          });
      }
      return;
    }
    case 'FailedMount':
    case 'FailedAttachVolume': {
      symptom('pending', 0.6, `volume cannot be mounted: ${quoted(msg, 160)}`);
      if (w)
        suspect({
          entity: w.id,
          weight: 0.45,
          affects: [w.id],
          explains: ['pending', 'config', 'unavailable'],
          detail: `mounts something that is missing: ${quoted(msg, 160)}`,
        });
      missingRef(msg, obj.namespace, ctx, w, suspect);
      return;
    }
    case 'OOMKilling':
    case 'OOMKilled': {
      const container = msg.match(/\(([a-z0-9-]+)\)/i)?.[1];
      const target = w ?? (container ? workloadByContainer(container, index) : undefined);
      if (target)
        ev.symptoms.push({
          signal: 'events',
          workload: target.id,
          kind: 'oom',
          weight: 0.85,
          at,
          detail: `OOM-killed: ${quoted(msg, 100)} (${e.reason} on ${shortId(id)})`,
        });
      return;
    }
    case 'SuccessfulRescale': {
      if (obj.kind !== 'HorizontalPodAutoscaler' || !obj.namespace) return;
      const hpa = index.get(id);
      const ref = specOf<{ scaleTargetRef?: { kind?: string; name?: string } }>(hpa).scaleTargetRef;
      const target = ref?.kind && ref.name ? makeId(obj.namespace, ref.kind, ref.name) : undefined;
      const capped = /above Spec\.MaxReplicas|MaxReplicas|maximum/i.test(msg);
      if (capped && target)
        ev.symptoms.push({
          signal: 'events',
          workload: target,
          kind: 'unavailable',
          weight: 0.35,
          at,
          detail: `scaled down by its autoscaler's maximum: ${quoted(msg)}`,
        });
      suspect({
        entity: id,
        weight: capped ? 0.8 : 0.15,
        affects: target ? [target] : [],
        explains: ['unavailable', 'saturation', 'latency', 'errors', 'not-ready'],
        detail: `${capped ? 'forced its target down to its maximum' : 'rescaled its target'}: ${quoted(msg)}`,
        standalone: capped,
      });
      return;
    }
    case 'NodeNotSchedulable':
    case 'NodeNotReady':
    case 'NodeHasDiskPressure':
    case 'NodeHasInsufficientMemory':
      if (obj.kind === 'Node')
        suspect({
          entity: makeId(undefined, 'Node', obj.name),
          weight: e.reason === 'NodeNotSchedulable' ? 0.5 : 0.6,
          affects: [],
          explains: ['pending', 'unavailable', 'unreachable', 'not-ready', 'crash'],
          detail: `${e.reason}: ${quoted(msg)}`,
        });
      return;
    case 'Evicted':
      symptom('unavailable', 0.5, `evicted: ${quoted(msg)}`);
      return;
    default:
      if (e.type === 'Warning' && w && /fail|error|unhealthy|back-?off/i.test(`${e.reason} ${msg}`))
        symptom('not-ready', 0.2, `${e.reason}: ${quoted(msg)}`);
  }
}

/**
 * Pods deleted by something other than their ReplicaSet (kubectl delete, a drain, an eviction): Killing
 * without SuccessfulDelete/scale-down of their ReplicaSet around that time. A rollout's own deletions are
 * the rollout, judged by the changes signal.
 */
function externalDeletions(events: EventRecord[], ctx: Ctx): void {
  const controllerDeleted = new Set<string>();
  for (const e of events) {
    if (e.reason !== 'SuccessfulDelete') continue;
    const pod = e.message.match(/Deleted pod:\s*([a-z0-9.-]+)/i)?.[1];
    if (pod) controllerDeleted.add(`${e.involvedObject.namespace ?? ''}/${pod}`);
  }
  const byWorkload = new Map<EntityId, number[]>();
  for (const e of events) {
    if (e.reason !== 'Killing' || e.involvedObject.kind !== 'Pod') continue;
    if (/liveness|startup probe|failed .* probe/i.test(e.message)) continue;
    if (controllerDeleted.has(`${e.involvedObject.namespace ?? ''}/${e.involvedObject.name}`)) continue;
    const id = e.entity ?? makeId(e.involvedObject.namespace, 'Pod', e.involvedObject.name);
    if (ctx.index.isBatchPod(id)) continue;
    const w = ctx.index.workloadOf(id);
    // A warning repeating since before the window says nothing about when this trouble began.
    const at = foldedFromBefore(e, ctx.snap.window.start) ? null : eventTime(e, ctx.snap.window.start);
    if (!w || at === null) continue;
    const list = byWorkload.get(w.id) ?? [];
    list.push(at);
    byWorkload.set(w.id, list);
  }
  for (const [wid, times] of byWorkload) {
    times.sort((a, b) => a - b);
    const n = times.length;
    ctx.ev.symptoms.push({
      signal: 'events',
      workload: wid,
      kind: 'unavailable',
      weight: clamp01(0.25 + 0.12 * n),
      at: times[0],
      detail: `${n} pod(s) deleted from outside their ReplicaSet since ${clock(times[0])}`,
    });
    ctx.ev.suspects.push({
      signal: 'events',
      entity: wid,
      weight: clamp01(0.2 + 0.12 * (n - 1)),
      at: times[0],
      affects: [wid],
      explains: ['unavailable', 'unreachable', 'errors', 'not-ready', 'auth', 'config', 'crash'],
      detail: `${n} of its pods were deleted (not by a rollout) between ${clock(times[0])} and ${clock(times[n - 1])}`,
    });
  }
}

/**
 * A pod refused by LimitRange admission: "maximum memory usage per Container is 128Mi, but limit is
 * 192Mi", "minimum cpu usage per Pod is …", "… max limit to request ratio per Container is …".
 */
function limitRangeRefusal(msg: string): boolean {
  return /(maximum|minimum) \S+ usage per (Container|Pod)|limit to request ratio per (Container|Pod)/i.test(
    msg,
  );
}

interface LimitItem {
  type?: string;
  max?: Record<string, string>;
  min?: Record<string, string>;
}

/**
 * The namespace's LimitRanges a refusal points at: those holding the very bound the message quotes (the
 * admission names the bound, never the object), else every one of them.
 */
function limitRangesFor(index: EntityIndex, namespace: string, msg: string): ObjectRecord[] {
  const all = index.objectsOfKind('LimitRange').filter((r) => r.metadata.namespace === namespace);
  const m = msg.match(/(maximum|minimum) (\S+) usage per (Container|Pod) is (\S+?),/i);
  if (!m) return all;
  const [, bound, resource, type, value] = m;
  const side = bound?.toLowerCase() === 'maximum' ? 'max' : 'min';
  const holding = all.filter((r) =>
    (specOf<{ limits?: LimitItem[] }>(r).limits ?? []).some((l) => {
      const q = l.type === type ? quantity(l[side]?.[resource ?? '']) : undefined;
      return q !== undefined && q === quantity(value);
    }),
  );
  return holding.length > 0 ? holding : all;
}

function ownerWorkload(e: EventRecord, id: EntityId, index: EntityIndex): Workload | undefined {
  const kind = e.involvedObject?.kind;
  if (
    kind === 'Pod' ||
    kind === 'ReplicaSet' ||
    kind === 'Deployment' ||
    kind === 'StatefulSet' ||
    kind === 'DaemonSet'
  )
    return index.workloadOf(id);
  return undefined;
}

function isInitContainer(w: Workload, container: string, index: EntityIndex): boolean {
  const templates = [w.template, ...index.replicaSetsOf(w).map((r) => r.template)];
  return templates.some((t) => (t?.spec?.initContainers ?? []).some((c) => c.name === container));
}

function workloadByContainer(container: string, index: EntityIndex): Workload | undefined {
  for (const w of index.workloads.values()) {
    if ((w.template?.spec?.containers ?? []).some((c) => c.name === container)) return w;
  }
  return index.workloadByTelemetry(container);
}

function missingRef(
  msg: string,
  ns: string | undefined,
  ctx: Ctx,
  w: Workload | undefined,
  suspect: (s: Omit<Suspect, 'signal' | 'at'>) => void,
): void {
  const { index } = ctx;
  const m = msg.match(/(configmap|secret)s? "([a-z0-9.-]+)" not found/i);
  if (!m || !ns) return;
  const kind = m[1].toLowerCase() === 'secret' ? 'Secret' : 'ConfigMap';
  const ref = makeId(ns, kind, m[2]);
  // Deleted in the window and still read: the deletion is the cause, whoever's pods noticed it first.
  if (ctx.snap.objectChanges.some((c) => c.entity === ref && c.action === 'DELETED'))
    suspect({
      entity: ref,
      weight: 0.9,
      affects: w ? [w.id] : [],
      explains: ['config', 'pending', 'not-ready', 'unavailable', 'unreachable'],
      detail: `deleted in the window, and named as missing: "${msg.slice(0, 120)}"`,
      standalone: true,
    });
  else if (index.get(ref))
    suspect({
      entity: ref,
      weight: 0.35,
      affects: w ? [w.id] : [],
      explains: ['config', 'pending'],
      detail: `named as missing: "${msg.slice(0, 120)}"`,
    });
}
