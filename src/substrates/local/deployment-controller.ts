import { createHash } from 'node:crypto';
import type { DeploymentSpec, KubeObject, PodSpec } from '../../kube/kube-object.js';
import { ofKind, type Deployment, type Pod, type ReplicaSet } from '../../kube/typed-objects.js';
import type { EventRecorder } from './event-recorder.js';
import type { ObjectStore } from './object-store.js';

/** What the controller needs from the kubelet side: create and delete pods, and see readiness. */
export interface PodLifecycle {
  createPod(pod: KubeObject): void;
  deletePod(namespace: string, name: string): void;
  isReady(namespace: string, name: string): boolean;
  isTerminating(namespace: string, name: string): boolean;
}

const HASH_LABEL = 'pod-template-hash';

/** Pods of a Deployment, found as Kubernetes does: through the ReplicaSets it owns. */
export function podsOf(store: ObjectStore, namespace: string, deployment: string): KubeObject[] {
  const sets = new Set(
    store
      .list('ReplicaSet', namespace)
      .filter((rs) =>
        rs.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === deployment),
      )
      .map((rs) => rs.metadata.name),
  );
  return store
    .list('Pod', namespace)
    .filter((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'ReplicaSet' && sets.has(o.name)));
}

export function templateHash(spec: DeploymentSpec): string {
  return createHash('sha256').update(JSON.stringify(spec.template)).digest('hex').slice(0, 10);
}

function pct(v: number | string | undefined, of: number, round: 'up' | 'down', dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) return Number(x) || 0;
  const f = (Number(m[1]) / 100) * of;
  return round === 'up' ? Math.ceil(f) : Math.floor(f);
}

/**
 * Deployment and ReplicaSet controllers folded into one: keeps the pods of each Deployment at its
 * replica count, rolls a changed template out with maxSurge/maxUnavailable as Kubernetes does (so a
 * broken rollout leaves the old pods serving), and reports status and ScalingReplicaSet events.
 */
export class DeploymentController {
  private readonly ordinals = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly events: EventRecorder,
    private readonly pods: PodLifecycle,
  ) {}

  reconcileAll(): void {
    for (const d of ofKind(this.store.list('Deployment'), 'Deployment')) this.reconcile(d);
  }

  reconcile(deploy: Deployment): void {
    const ns = deploy.metadata.namespace ?? 'default';
    const name = deploy.metadata.name;
    const spec = deploy.spec;
    const podSpec = spec?.template?.spec;
    // Nothing to run (the API server refuses such a Deployment; the local store does not check).
    if (!spec || !podSpec) return;
    const desired = spec.replicas ?? 1;
    const hash = templateHash(spec);
    const rsName = `${name}-${hash}`;
    this.ensureReplicaSet(deploy, spec, rsName, hash);

    const owned = podsOf(this.store, ns, name).filter((p) => !this.pods.isTerminating(ns, p.metadata.name));
    const isNew = (p: KubeObject): boolean => p.metadata.labels?.[HASH_LABEL] === hash;
    const newPods = owned.filter(isNew);
    const oldPods = owned.filter((p) => !isNew(p));
    const ready = (p: KubeObject): boolean => this.pods.isReady(ns, p.metadata.name);

    const recreate = spec.strategy?.type === 'Recreate';
    const maxSurge = recreate ? 0 : pct(spec.strategy?.rollingUpdate?.maxSurge, desired, 'up', '25%');
    let maxUnavailable = recreate
      ? desired
      : pct(spec.strategy?.rollingUpdate?.maxUnavailable, desired, 'down', '25%');
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;

    // Scale down old pods: unready ones first, then ready ones while availability allows.
    let available = owned.filter(ready).length;
    const minAvailable = desired - maxUnavailable;
    let oldLeft = oldPods.length;
    for (const p of [...oldPods].sort((a, b) => Number(ready(a)) - Number(ready(b)))) {
      if (recreate || !ready(p) || available - 1 >= minAvailable || newPods.filter(ready).length >= desired) {
        if (ready(p)) available--;
        this.deletePod(deploy, p, oldLeft - 1, `${name}-${p.metadata.labels?.[HASH_LABEL] ?? ''}`);
        oldLeft--;
      }
    }
    if (recreate && oldLeft > 0) return;

    // Scale up the new ReplicaSet within the surge allowance.
    let total = oldLeft + newPods.length;
    let nNew = newPods.length;
    while (nNew < desired && total < desired + maxSurge) {
      this.createPod(deploy, spec, podSpec, { hash, rsName, newCount: nNew + 1 });
      nNew++;
      total++;
    }
    // Scale the new ReplicaSet down when replicas shrank: newest and unready pods first.
    if (newPods.length > desired) {
      const extra = [...newPods]
        .sort((a, b) => Number(ready(a)) - Number(ready(b)) || b.metadata.name.localeCompare(a.metadata.name))
        .slice(0, newPods.length - desired);
      let left = newPods.length;
      for (const p of extra) this.deletePod(deploy, p, --left, rsName);
    }
    this.updateStatus(deploy, spec, hash);
  }

  private ensureReplicaSet(deploy: Deployment, spec: DeploymentSpec, rsName: string, hash: string): void {
    const ns = deploy.metadata.namespace;
    if (this.store.get('ReplicaSet', ns, rsName)) return;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: rsName,
        namespace: ns,
        labels: { ...(spec.template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: deploy.metadata.name,
            uid: deploy.metadata.uid ?? '',
            controller: true,
          },
        ],
      },
      spec: {
        replicas: spec.replicas ?? 1,
        selector: { matchLabels: { ...(spec.selector.matchLabels ?? {}), [HASH_LABEL]: hash } },
        template: spec.template,
      },
    };
    this.store.apply(rs);
  }

  private createPod(
    deploy: Deployment,
    spec: DeploymentSpec,
    podSpec: PodSpec,
    { hash, rsName, newCount }: { hash: string; rsName: string; newCount: number },
  ): void {
    const ns = deploy.metadata.namespace ?? 'default';
    const dname = deploy.metadata.name;
    const key = `${ns}/${dname}`;
    const ord = this.ordinals.get(key) ?? 0;
    this.ordinals.set(key, ord + 1);
    const rs = this.store.get('ReplicaSet', ns, rsName);
    const podName = `${dname}-${ord}`;
    const pod: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace: ns,
        labels: {
          ...(spec.template.metadata?.labels ?? {}),
          [HASH_LABEL]: hash,
        },
        annotations: { ...(spec.template.metadata?.annotations ?? {}) },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: rsName,
            uid: rs?.metadata.uid ?? '',
            controller: true,
          },
        ],
      },
      spec: { ...structuredClone(podSpec), nodeName: 'localhost' },
    };
    this.events.record(
      deploy,
      'Normal',
      'ScalingReplicaSet',
      `Scaled up replica set ${rsName} from ${newCount - 1} to ${newCount}`,
      'deployment-controller',
    );
    if (rs)
      this.events.record(
        rs,
        'Normal',
        'SuccessfulCreate',
        `Created pod: ${podName}`,
        'replicaset-controller',
      );
    this.pods.createPod(pod);
  }

  private deletePod(deploy: KubeObject, pod: KubeObject, to: number, rsName: string): void {
    const ns = deploy.metadata.namespace ?? 'default';
    this.events.record(
      deploy,
      'Normal',
      'ScalingReplicaSet',
      `Scaled down replica set ${rsName} from ${to + 1} to ${to}`,
      'deployment-controller',
    );
    const rs = this.store.get('ReplicaSet', ns, rsName);
    if (rs)
      this.events.record(
        rs,
        'Normal',
        'SuccessfulDelete',
        `Deleted pod: ${pod.metadata.name}`,
        'replicaset-controller',
      );
    this.pods.deletePod(ns, pod.metadata.name);
  }

  private updateStatus(deploy: Deployment, spec: DeploymentSpec, hash: string): void {
    const ns = deploy.metadata.namespace ?? 'default';
    const desired = spec.replicas ?? 1;
    const pods = podsOf(this.store, ns, deploy.metadata.name).filter(
      (p) => !this.pods.isTerminating(ns, p.metadata.name),
    );
    const readyN = pods.filter((p) => this.pods.isReady(ns, p.metadata.name)).length;
    const updated = pods.filter((p) => p.metadata.labels?.[HASH_LABEL] === hash).length;
    const availableOk =
      readyN >= desired - pct(spec.strategy?.rollingUpdate?.maxUnavailable, desired, 'down', '25%');
    this.store.updateStatus('Deployment', ns, deploy.metadata.name, {
      observedGeneration: deploy.metadata.generation,
      replicas: pods.length,
      updatedReplicas: updated,
      readyReplicas: readyN,
      availableReplicas: readyN,
      unavailableReplicas: Math.max(0, desired - readyN),
      conditions: [
        {
          type: 'Available',
          status: availableOk ? 'True' : 'False',
          reason: availableOk ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          message: availableOk
            ? 'Deployment has minimum availability.'
            : 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: updated >= desired ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
          message:
            updated >= desired
              ? `ReplicaSet "${deploy.metadata.name}-${hash}" has successfully progressed.`
              : `ReplicaSet "${deploy.metadata.name}-${hash}" is progressing.`,
        },
      ],
    });
    for (const rs of this.store.list('ReplicaSet', ns)) {
      const h = rs.metadata.labels?.[HASH_LABEL];
      if (rs.metadata.ownerReferences?.[0]?.name !== deploy.metadata.name || !h) continue;
      const mine = pods.filter((p) => p.metadata.labels?.[HASH_LABEL] === h);
      this.store.updateStatus('ReplicaSet', ns, rs.metadata.name, {
        replicas: mine.length,
        readyReplicas: mine.filter((p) => this.pods.isReady(ns, p.metadata.name)).length,
        availableReplicas: mine.filter((p) => this.pods.isReady(ns, p.metadata.name)).length,
      });
    }
  }
}
