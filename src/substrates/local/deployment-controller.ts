import type { KubeObject, PodTemplate } from '../../kube/kube-object.js';
import { ofKind, type Deployment, type ReplicaSet } from '../../kube/typed-objects.js';
import type { Clock } from '../../util/clock.js';
import { controlledBy, controllerRef, isTerminal, setCondition } from './controller-support.js';
import type { EventRecorder } from './event-recorder.js';
import { canonicalJson, podTemplateHash } from './names.js';
import type { ObjectStore } from './object-store.js';
import { kubeTime } from '../../kube/kube-time.js';

export const HASH_LABEL = 'pod-template-hash';
export const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
/** Annotations of a Deployment the controller never copies to its ReplicaSets (annotationsToSkip). */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);
/** deploymentutil's limit on the revision-history annotation, in characters. */
const MAX_REV_HISTORY_CHARS = 2000;
const COMPONENT = 'deployment-controller';

type DeploymentStatus = NonNullable<Deployment['status']>;
type DeploymentCondition = NonNullable<DeploymentStatus['conditions']>[number];

/** An int-or-percent of `of` (intstr.GetScaledValueFromIntOrPercent). */
function scaled(v: number | string | undefined, of: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) return Number(x) || 0;
  const f = (Number(m[1]) * of) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}

const replicasOf = (rs: ReplicaSet): number => rs.spec?.replicas ?? 0;
const sum = (sets: ReplicaSet[], f: (rs: ReplicaSet) => number): number =>
  sets.reduce((n, rs) => n + f(rs), 0);
const revisionOf = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0;

/** Whether two pod templates are the same but for the pod-template-hash label (EqualIgnoreHash). */
function sameTemplate(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  const strip = (t: PodTemplate | undefined): PodTemplate => {
    const c = structuredClone(t ?? {});
    const labels = c.metadata?.labels;
    if (c.metadata && labels) {
      delete labels[HASH_LABEL];
      if (Object.keys(labels).length === 0) delete c.metadata.labels;
    }
    if (c.metadata && Object.keys(c.metadata).length === 0) delete c.metadata;
    return c;
  };
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}

/**
 * The Deployment controller (pkg/controller/deployment): each template gets a ReplicaSet named
 * `<deployment>-<pod-template-hash>` with the next revision; a rolling update moves replicas from the old
 * ReplicaSets to the new one within maxSurge/maxUnavailable (so a broken rollout leaves the old pods
 * serving), Recreate scales the old ones to zero first; a template seen before brings its old
 * ReplicaSet back with a new revision, as `kubectl rollout undo` does; old ReplicaSets stay at zero
 * replicas up to revisionHistoryLimit. Pods are the ReplicaSet controller's business.
 */
export class DeploymentController {
  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly clock: Clock,
  ) {}

  reconcileAll(): void {
    for (const d of ofKind(this.store.list('Deployment'), 'Deployment')) this.reconcile(d);
  }

  reconcile(d: Deployment): void {
    // Nothing to run (the API server refuses such a Deployment; the local store does not check).
    if (!d.spec?.template?.spec) return;
    const sets = ofKind(controlledBy(this.store, 'ReplicaSet', d), 'ReplicaSet');
    let newRS = sets.find((rs) => sameTemplate(rs.spec?.template, d.spec?.template));
    const oldRSs = sets.filter((rs) => rs !== newRS);
    if (newRS) newRS = this.syncNewReplicaSet(d, newRS, oldRSs);
    if (this.isScalingEvent(d, newRS, oldRSs)) {
      this.scale(d, newRS, oldRSs);
      this.writeStatus(d, this.calculateStatus(d, newRS, oldRSs));
      return;
    }
    if (d.spec.strategy?.type === 'Recreate') this.rolloutRecreate(d, newRS, oldRSs);
    else this.rolloutRolling(d, newRS ?? this.createNewReplicaSet(d, oldRSs), oldRSs);
  }

  // ---- strategies ------------------------------------------------------------------------------

  private rolloutRolling(d: Deployment, newRS: ReplicaSet, oldRSs: ReplicaSet[]): void {
    const desired = this.desired(d);
    const all = [...oldRSs, newRS];
    let scaledUp = false;
    if (replicasOf(newRS) > desired) scaledUp = this.scaleReplicaSet(d, newRS, desired);
    else if (replicasOf(newRS) < desired)
      scaledUp = this.scaleReplicaSet(d, newRS, this.newReplicas(d, all, newRS));
    if (scaledUp || this.reconcileOldReplicaSets(d, newRS, oldRSs)) {
      this.syncRolloutStatus(d, newRS, oldRSs);
      return;
    }
    const status = this.calculateStatus(d, newRS, oldRSs);
    if (this.complete(d, status)) this.cleanup(d, oldRSs);
    this.syncRolloutStatus(d, newRS, oldRSs);
  }

  private rolloutRecreate(d: Deployment, found: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
    let scaledDown = false;
    for (const rs of oldRSs)
      if (replicasOf(rs) > 0) scaledDown = this.scaleReplicaSet(d, rs, 0) || scaledDown;
    // Old pods must be gone, not just scaled away, before any new one starts.
    const oldPodsRunning = oldRSs.some((rs) =>
      controlledBy(this.store, 'Pod', rs).some((p) => !isTerminal(p)),
    );
    if (scaledDown || oldPodsRunning) {
      if (found) this.syncRolloutStatus(d, found, oldRSs);
      else this.writeStatus(d, this.calculateStatus(d, undefined, oldRSs));
      return;
    }
    const newRS = found ?? this.createNewReplicaSet(d, oldRSs);
    this.scaleReplicaSet(d, newRS, this.desired(d));
    if (this.complete(d, this.calculateStatus(d, newRS, oldRSs))) this.cleanup(d, oldRSs);
    this.syncRolloutStatus(d, newRS, oldRSs);
  }

  /** Scale old ReplicaSets down as far as availability allows (reconcileOldReplicaSets). */
  private reconcileOldReplicaSets(d: Deployment, newRS: ReplicaSet, oldRSs: ReplicaSet[]): boolean {
    const oldCount = sum(oldRSs, replicasOf);
    if (oldCount === 0) return false;
    const all = [...oldRSs, newRS];
    const minAvailable = this.desired(d) - this.maxUnavailable(d);
    const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = sum(all, replicasOf) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    let total = 0;
    // Unhealthy replicas first: losing them costs no availability.
    for (const rs of oldRSs) {
      if (total >= maxScaledDown) break;
      const unavailable = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (replicasOf(rs) === 0 || unavailable <= 0) continue;
      const n = Math.min(maxScaledDown - total, unavailable);
      this.scaleReplicaSet(d, rs, replicasOf(rs) - n);
      total += n;
    }
    // Then available ones, while the Deployment keeps minAvailable.
    const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
    const canLose = available - minAvailable;
    let lost = 0;
    for (const rs of oldRSs) {
      if (lost >= canLose) break;
      if (replicasOf(rs) === 0) continue;
      const n = Math.min(replicasOf(rs), canLose - lost);
      this.scaleReplicaSet(d, rs, replicasOf(rs) - n);
      lost += n;
    }
    return total + Math.max(0, lost) > 0;
  }

  /** A change of replicas alone: every active ReplicaSet resized (proportionally when several are). */
  private scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
    const desired = this.desired(d);
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    const active = all.filter((rs) => replicasOf(rs) > 0);
    if (active.length <= 1) {
      // The one active ReplicaSet, or the newest when none is.
      const target = active[0] ?? newRS ?? oldRSs[oldRSs.length - 1];
      if (target) this.scaleReplicaSet(d, target, desired);
      return;
    }
    if (newRS && replicasOf(newRS) === desired && (newRS.status?.availableReplicas ?? 0) === desired) {
      for (const rs of oldRSs) if (replicasOf(rs) > 0) this.scaleReplicaSet(d, rs, 0);
      return;
    }
    if (d.spec?.strategy?.type === 'Recreate') return;
    const allowed = desired > 0 ? desired + this.maxSurge(d) : 0;
    const toAdd = allowed - sum(active, replicasOf);
    // Larger first; among equals, newer first when growing and older first when shrinking.
    const order = [...active].sort(
      (a, b) =>
        replicasOf(b) - replicasOf(a) ||
        (toAdd > 0 ? -1 : 1) *
          (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
    );
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of order) {
      let proportion = 0;
      if (toAdd !== 0 && toAdd !== added) {
        const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? d.status?.replicas ?? 0) || 1;
        const fraction =
          desired === 0
            ? -replicasOf(rs)
            : Math.round((replicasOf(rs) * allowed) / annotated) - replicasOf(rs);
        proportion = toAdd > 0 ? Math.min(fraction, toAdd - added) : Math.max(fraction, toAdd - added);
      }
      sizes.set(rs, replicasOf(rs) + proportion);
      added += proportion;
    }
    order.forEach((rs, i) => {
      let size = sizes.get(rs) ?? replicasOf(rs);
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      this.scaleReplicaSet(d, rs, size);
    });
  }

  private isScalingEvent(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    const desired = this.desired(d);
    return [...oldRSs, ...(newRS ? [newRS] : [])].some((rs) => {
      const a = rs.metadata.annotations?.[DESIRED_REPLICAS];
      return replicasOf(rs) > 0 && a !== undefined && Number(a) !== desired;
    });
  }

  // ---- ReplicaSets -----------------------------------------------------------------------------

  private createNewReplicaSet(d: Deployment, oldRSs: ReplicaSet[]): ReplicaSet {
    const ns = d.metadata.namespace ?? 'default';
    const template = structuredClone(d.spec?.template ?? {});
    let collisions = d.status?.collisionCount;
    let hash = podTemplateHash(template, collisions);
    // A name taken by a ReplicaSet of another template is a hash collision: the count goes into the hash.
    while (this.store.get('ReplicaSet', ns, `${d.metadata.name}-${hash}`)) {
      collisions = (collisions ?? 0) + 1;
      hash = podTemplateHash(template, collisions);
    }
    if (collisions !== d.status?.collisionCount) d.status = { ...d.status, collisionCount: collisions };
    const labels = { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: ns,
        labels,
        annotations: {},
        ownerReferences: [controllerRef(d)],
      },
      spec: {
        replicas: 0,
        ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
        selector: {
          ...(d.spec?.selector ?? {}),
          matchLabels: { ...(d.spec?.selector.matchLabels ?? {}), [HASH_LABEL]: hash },
        },
        template: { ...template, metadata: { ...(template.metadata ?? {}), labels } },
      },
    };
    const replicas = this.newReplicas(d, [...oldRSs, rs], rs);
    rs.spec = { ...rs.spec, replicas, selector: rs.spec?.selector ?? {} };
    const revision = String(Math.max(0, ...oldRSs.map(revisionOf)) + 1);
    this.copyAnnotations(d, rs);
    rs.metadata.annotations = {
      ...rs.metadata.annotations,
      [DESIRED_REPLICAS]: String(this.desired(d)),
      [MAX_REPLICAS]: String(this.desired(d) + this.maxSurge(d)),
      [REVISION]: revision,
    };
    const created = this.adopt(rs, this.store.apply(rs));
    if (replicas > 0)
      this.events.record(
        d,
        'Normal',
        'ScalingReplicaSet',
        `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`,
        COMPONENT,
      );
    this.setRevision(d, revision);
    this.markProgressing(d, 'NewReplicaSetCreated', `Created new replica set "${created.metadata.name}"`);
    return created;
  }

  /**
   * The Deployment's annotations copied onto its current ReplicaSet and the next revision given to it
   * when it is not the newest (a rollback to an earlier template), its former revision kept in
   * revision-history; the Deployment takes the ReplicaSet's revision.
   */
  private syncNewReplicaSet(d: Deployment, rs: ReplicaSet, oldRSs: ReplicaSet[]): ReplicaSet {
    const next = Math.max(0, ...oldRSs.map(revisionOf)) + 1;
    const before = canonicalJson(rs.metadata.annotations ?? {});
    this.copyAnnotations(d, rs);
    const annotations = { ...(rs.metadata.annotations ?? {}) };
    const had = annotations[REVISION];
    const current = Number(had ?? 0) || 0;
    if (current < next) {
      annotations[REVISION] = String(next);
      if (had !== undefined) {
        const history = (annotations[REVISION_HISTORY] ?? '').split(',').filter(Boolean);
        history.push(had);
        while (history.join(',').length > MAX_REV_HISTORY_CHARS) history.shift();
        annotations[REVISION_HISTORY] = history.join(',');
      }
    }
    rs.metadata.annotations = annotations;
    let synced = rs;
    if (canonicalJson(annotations) !== before) synced = this.adopt(rs, this.store.apply(rs));
    this.setRevision(d, synced.metadata.annotations?.[REVISION] ?? String(next));
    if (!d.status?.conditions?.some((c) => c.type === 'Progressing'))
      this.markProgressing(d, 'FoundNewReplicaSet', `Found new replica set "${rs.metadata.name}"`);
    return synced;
  }

  /**
   * Progressing=True on the Deployment as its rollout starts from a created or a found ReplicaSet, as
   * kube's controller sets it; the next status written (calculateStatus) carries the condition over.
   */
  private markProgressing(d: Deployment, reason: string, message: string): void {
    d.status = {
      ...d.status,
      conditions: this.condition(d.status?.conditions, 'Progressing', 'True', reason, message),
    };
  }

  private copyAnnotations(d: Deployment, rs: ReplicaSet): void {
    const out = { ...(rs.metadata.annotations ?? {}) };
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) out[k] = v;
    rs.metadata.annotations = out;
  }

  /** Resize one ReplicaSet and refresh its replica annotations; ScalingReplicaSet when its size changed. */
  private scaleReplicaSet(d: Deployment, rs: ReplicaSet, to: number): boolean {
    const from = replicasOf(rs);
    const desired = String(this.desired(d));
    const max = String(this.desired(d) + this.maxSurge(d));
    const a = rs.metadata.annotations ?? {};
    if (from === to && a[DESIRED_REPLICAS] === desired && a[MAX_REPLICAS] === max) return false;
    rs.spec = { ...rs.spec, replicas: to, selector: rs.spec?.selector ?? {} };
    rs.metadata.annotations = { ...a, [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max };
    this.adopt(rs, this.store.apply(rs));
    if (from === to) return false;
    this.events.record(
      d,
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`,
      COMPONENT,
    );
    return true;
  }

  /** Keep working on the stored version (uid, generation) in place, so later steps of this pass see it. */
  private adopt(rs: ReplicaSet, stored: KubeObject): ReplicaSet {
    rs.metadata = stored.metadata;
    return rs;
  }

  /** Old ReplicaSets at zero beyond revisionHistoryLimit deleted, lowest revisions first. */
  private cleanup(d: Deployment, oldRSs: ReplicaSet[]): void {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const extra = cleanable.length - limit;
    if (extra <= 0) return;
    const ns = d.metadata.namespace ?? 'default';
    for (const rs of [...cleanable].sort((a, b) => revisionOf(a) - revisionOf(b)).slice(0, extra)) {
      if (replicasOf(rs) !== 0 || (rs.status?.replicas ?? 0) !== 0) continue;
      this.store.delete('ReplicaSet', ns, rs.metadata.name);
    }
  }

  // ---- Deployment ------------------------------------------------------------------------------

  private setRevision(d: Deployment, revision: string): void {
    if (d.metadata.annotations?.[REVISION] === revision) return;
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION]: revision };
    const stored = this.store.get('Deployment', d.metadata.namespace, d.metadata.name);
    if (!stored) return;
    stored.metadata.annotations = { ...(stored.metadata.annotations ?? {}), [REVISION]: revision };
    this.store.apply(stored);
  }

  private desired(d: Deployment): number {
    return d.spec?.replicas ?? 1;
  }

  private maxSurge(d: Deployment): number {
    if (d.spec?.strategy?.type === 'Recreate') return 0;
    return this.fenceposts(d).surge;
  }

  private maxUnavailable(d: Deployment): number {
    if (d.spec?.strategy?.type === 'Recreate' || this.desired(d) === 0) return 0;
    return Math.min(this.fenceposts(d).unavailable, this.desired(d));
  }

  /** maxSurge rounded up, maxUnavailable down; both zero would deadlock, so unavailable becomes 1. */
  private fenceposts(d: Deployment): { surge: number; unavailable: number } {
    const ru = d.spec?.strategy?.rollingUpdate;
    const desired = this.desired(d);
    const surge = scaled(ru?.maxSurge, desired, true, '25%');
    const unavailable = scaled(ru?.maxUnavailable, desired, false, '25%');
    return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
  }

  /** The new ReplicaSet's size now: up to desired, within desired + maxSurge pods in all (NewRSNewReplicas). */
  private newReplicas(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): number {
    const desired = this.desired(d);
    if (d.spec?.strategy?.type === 'Recreate') return desired;
    const maxTotal = desired + this.maxSurge(d);
    const current = sum(all, replicasOf);
    if (current >= maxTotal) return replicasOf(newRS);
    return replicasOf(newRS) + Math.min(maxTotal - current, desired - replicasOf(newRS));
  }

  private calculateStatus(
    d: Deployment,
    newRS: ReplicaSet | undefined,
    oldRSs: ReplicaSet[],
  ): DeploymentStatus {
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
    const unavailable = Math.max(0, sum(all, replicasOf) - available);
    const ok = available >= this.desired(d) - this.maxUnavailable(d);
    // Zero counts are left out, as the API serializes them (omitempty).
    const count = (key: string, n: number): Record<string, number> => (n > 0 ? { [key]: n } : {});
    return {
      observedGeneration: d.metadata.generation ?? 1,
      ...count(
        'replicas',
        sum(all, (rs) => rs.status?.replicas ?? 0),
      ),
      ...count('updatedReplicas', newRS?.status?.replicas ?? 0),
      ...count(
        'readyReplicas',
        sum(all, (rs) => rs.status?.readyReplicas ?? 0),
      ),
      ...count('availableReplicas', available),
      ...count('unavailableReplicas', unavailable),
      ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
      conditions: this.condition(
        d.status?.conditions,
        'Available',
        ok ? 'True' : 'False',
        ok ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
        ok ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.',
      ),
    };
  }

  private complete(d: Deployment, s: DeploymentStatus): boolean {
    const want = this.desired(d);
    return (
      (s.updatedReplicas ?? 0) === want &&
      (s.replicas ?? 0) === want &&
      (s.availableReplicas ?? 0) === want &&
      (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
    );
  }

  /** Status with the Progressing condition as syncRolloutStatus keeps it, under progressDeadlineSeconds. */
  private syncRolloutStatus(d: Deployment, newRS: ReplicaSet, oldRSs: ReplicaSet[]): void {
    const status = this.calculateStatus(d, newRS, oldRSs);
    const current = status.conditions?.find((c) => c.type === 'Progressing');
    const isComplete =
      status.replicas === status.updatedReplicas && current?.reason === 'NewReplicaSetAvailable';
    const rsName = newRS.metadata.name;
    if (!isComplete) {
      const old = d.status ?? {};
      const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
      const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
      const progressing =
        (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
        newOld < oldOld ||
        (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
        (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
      if (this.complete(d, status)) {
        status.conditions = this.condition(
          status.conditions,
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `ReplicaSet "${rsName}" has successfully progressed.`,
        );
      } else if (progressing) {
        // Progress moves lastUpdateTime on, which the deadline is counted from.
        const now = kubeTime(this.clock.now());
        const cond: DeploymentCondition = {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: `ReplicaSet "${rsName}" is progressing.`,
          lastUpdateTime: now,
          lastTransitionTime: current?.status === 'True' ? current.lastTransitionTime : now,
        };
        status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'Progressing'), cond];
      } else if (this.timedOut(d, current)) {
        status.conditions = this.condition(
          status.conditions,
          'Progressing',
          'False',
          'ProgressDeadlineExceeded',
          `ReplicaSet "${rsName}" has timed out progressing.`,
        );
      }
    }
    this.writeStatus(d, status);
  }

  private timedOut(d: Deployment, cond: DeploymentCondition | undefined): boolean {
    if (!cond) return false;
    if (cond.reason === 'NewReplicaSetAvailable') return false;
    if (cond.reason === 'ProgressDeadlineExceeded') return true;
    const from = Date.parse(cond.lastUpdateTime ?? cond.lastTransitionTime ?? '');
    const deadline = (d.spec?.progressDeadlineSeconds ?? 600) * 1000;
    return Number.isFinite(from) && from + deadline < this.clock.now();
  }

  private condition(
    conditions: DeploymentCondition[] | undefined,
    type: string,
    status: string,
    reason: string,
    message: string,
  ): DeploymentCondition[] {
    const now = kubeTime(this.clock.now());
    return setCondition(conditions, {
      type,
      status,
      reason,
      message,
      lastUpdateTime: now,
      lastTransitionTime: now,
    });
  }

  private writeStatus(d: Deployment, status: DeploymentStatus): void {
    d.status = status;
    this.store.updateStatus('Deployment', d.metadata.namespace, d.metadata.name, status);
  }
}
