import type { KubeObject, PodSpec, PodTemplate } from './kube-object.js';
import { isKind, isKindIn, type KindMap } from './typed-objects.js';

/** Kinds that run pods from a template in `spec.template`. */
export const WORKLOAD_KINDS = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'] as const;

export type Workload = KindMap[(typeof WORKLOAD_KINDS)[number]];

export function isWorkload(obj: KubeObject): obj is Workload {
  return isKindIn(obj, WORKLOAD_KINDS);
}

/** A workload's pod template; undefined for any other kind or a workload without one. */
export function podTemplateOf(obj: KubeObject | undefined): PodTemplate | undefined {
  return obj && isWorkload(obj) ? obj.spec?.template : undefined;
}

/**
 * The pod spec an object runs: a Pod's own, or its template's for a workload (what its pods will run).
 * Undefined for other kinds.
 */
export function podSpecOf(obj: KubeObject | undefined): PodSpec | undefined {
  if (!obj) return undefined;
  if (isKind(obj, 'Pod')) return obj.spec;
  return podTemplateOf(obj)?.spec;
}
