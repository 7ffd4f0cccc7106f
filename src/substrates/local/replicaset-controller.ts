import type { KubeObject } from '../../kube/kube-object.js';
import { containerStatusesOf } from '../../kube/pod-status.js';
import { asPod, ofKind, type ReplicaSet } from '../../kube/typed-objects.js';
import {
  byCreation,
  controlledBy,
  isActivePod,
  podFromTemplate,
  type PodLifecycle,
} from './controller-support.js';
import type { EventRecorder } from './event-recorder.js';
import { generateName } from './names.js';
import type { ObjectStore } from './object-store.js';

const COMPONENT = 'replicaset-controller';

/**
 * The ReplicaSet controller: keeps as many active pods as `spec.replicas` says, creating them with
 * generated names (`<replicaset>-<5 chars>`) and deleting the cheapest to lose first, and reports the
 * counts in the ReplicaSet's status. Deployments act on their pods only through it.
 */
export class ReplicaSetController {
  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly pods: PodLifecycle,
    private readonly random?: (max: number) => number,
  ) {}

  reconcileAll(): void {
    for (const rs of ofKind(this.store.list('ReplicaSet'), 'ReplicaSet')) this.reconcile(rs);
  }

  reconcile(rs: ReplicaSet): void {
    const ns = rs.metadata.namespace ?? 'default';
    const want = rs.spec?.replicas ?? 1;
    const active = controlledBy(this.store, 'Pod', rs).filter((p) => isActivePod(p, this.pods));
    if (active.length < want && rs.spec?.template?.spec) {
      for (let i = active.length; i < want; i++) {
        const name = generateName(rs.metadata.name, (n) => !!this.store.get('Pod', ns, n), this.random);
        const pod = podFromTemplate(rs.spec.template, rs, name);
        // Recorded as the create returns, before the scheduler and kubelet see the pod.
        this.events.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`, COMPONENT);
        this.pods.createPod(pod);
      }
    } else if (active.length > want) {
      for (const p of this.toDelete(active).slice(0, active.length - want)) {
        this.events.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`, COMPONENT);
        this.pods.deletePod(ns, p.metadata.name);
      }
    }
    this.updateStatus(rs);
  }

  /**
   * Pods in the order the controller gives them up (controller.ActivePodsWithRanks): pending before
   * running, unready before ready, more restarts before fewer, newer before older.
   */
  private toDelete(pods: KubeObject[]): KubeObject[] {
    const phaseRank = (p: KubeObject): number => {
      const phase = asPod(p)?.status?.phase;
      return phase === 'Pending' || phase === undefined ? 0 : phase === 'Unknown' ? 1 : 2;
    };
    const ready = (p: KubeObject): number =>
      Number(this.pods.isReady(p.metadata.namespace ?? 'default', p.metadata.name));
    const restarts = (p: KubeObject): number =>
      containerStatusesOf(p).reduce((n, c) => n + (c.restartCount ?? 0), 0);
    return [...pods].sort(
      (a, b) =>
        phaseRank(a) - phaseRank(b) || ready(a) - ready(b) || restarts(b) - restarts(a) || byCreation(b, a),
    );
  }

  private updateStatus(rs: ReplicaSet): void {
    const ns = rs.metadata.namespace ?? 'default';
    const active = controlledBy(this.store, 'Pod', rs).filter((p) => isActivePod(p, this.pods));
    const ready = active.filter((p) => this.pods.isReady(ns, p.metadata.name)).length;
    // The API leaves zero counts out (omitempty), all but replicas.
    this.store.updateStatus('ReplicaSet', ns, rs.metadata.name, {
      replicas: active.length,
      ...(active.length ? { fullyLabeledReplicas: active.length } : {}),
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      observedGeneration: rs.metadata.generation ?? 1,
    });
  }
}
