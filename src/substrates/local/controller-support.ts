import type { KubeObject, OwnerReference, PodTemplate } from '../../kube/kube-object.js';
import type { Pod } from '../../kube/typed-objects.js';
import { asPod } from '../../kube/typed-objects.js';
import type { ObjectStore } from './object-store.js';

/** What the controllers need from the kubelet side: create and delete pods, and see readiness. */
export interface PodLifecycle {
  createPod(pod: Pod): void;
  deletePod(namespace: string, name: string): void;
  isReady(namespace: string, name: string): boolean;
  isTerminating(namespace: string, name: string): boolean;
}

/** The ownerReference a controller puts on what it creates (metav1.NewControllerRef). */
export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Whether `owner` is the managing controller of `obj` (by uid, as the garbage collector matches). */
export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = obj.metadata.ownerReferences?.find((o) => o.controller);
  if (!ref || ref.kind !== owner.kind) return false;
  return owner.metadata.uid ? ref.uid === owner.metadata.uid : ref.name === owner.metadata.name;
}

/** The objects of `kind` in the owner's namespace it controls, oldest first (ties by name). */
export function controlledBy(store: ObjectStore, kind: string, owner: KubeObject): KubeObject[] {
  return store
    .select(kind, owner.metadata.namespace ?? 'default', (o) => isControlledBy(o, owner))
    .sort(byCreation);
}

export function byCreation(a: KubeObject, b: KubeObject): number {
  return (
    (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
    a.metadata.name.localeCompare(b.metadata.name)
  );
}

/** Whether the pod has reached Succeeded or Failed: its containers will not run again. */
export function isTerminal(pod: KubeObject): boolean {
  const phase = asPod(pod)?.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** A pod a controller counts as one of its replicas: not finished and not being deleted (FilterActivePods). */
export function isActivePod(pod: KubeObject, pods: PodLifecycle): boolean {
  const ns = pod.metadata.namespace ?? 'default';
  return !isTerminal(pod) && !pod.metadata.deletionTimestamp && !pods.isTerminating(ns, pod.metadata.name);
}

/** A pod from a controller's template, as controller.GetPodFromTemplate builds it. */
export function podFromTemplate(
  template: PodTemplate | undefined,
  owner: KubeObject,
  name: string,
  extra: { finalizers?: string[] } = {},
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace ?? 'default',
      labels: { ...(template?.metadata?.labels ?? {}) },
      ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(owner)],
      ...(extra.finalizers ? { finalizers: extra.finalizers } : {}),
    },
    spec: structuredClone(template?.spec ?? { containers: [] }),
  };
}

/** A condition list with `cond` in place of any of its type, keeping the transition time when the status holds. */
export function setCondition<
  C extends { type: string; status: string; reason?: string; lastTransitionTime?: string },
>(conditions: C[] | undefined, cond: C): C[] {
  const list = conditions ?? [];
  const current = list.find((c) => c.type === cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return list;
  const next = { ...cond };
  if (current && current.status === cond.status && current.lastTransitionTime)
    next.lastTransitionTime = current.lastTransitionTime;
  return [...list.filter((c) => c.type !== cond.type), next];
}
