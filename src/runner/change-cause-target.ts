import { CHANGE_CAUSE, describeTemplateChange } from '../kube/change-cause.js';
import type { KubeObject } from '../kube/kube-object.js';
import type { FaultTarget } from '../platform/fault-target.js';
import type { ObjectApi } from '../platform/object-api.js';

/**
 * The fault target every change of a run goes through, faults' and background's alike. When the run's
 * operators record their changes (`RunPlan.recordChangeCause`, drawn per run as a team's habit is), each
 * Deployment rollout gets `kubernetes.io/change-cause` worded by one function; when they do not, none
 * does. Either way a rollout's annotation never tells a fault from routine work, which it did while only
 * background rollouts carried one.
 */
export function changeCauseTarget(target: FaultTarget, record: boolean): FaultTarget {
  if (!record) return target;
  return { ...target, objects: recordingObjects(target.objects) };
}

function recordingObjects(objects: ObjectApi): ObjectApi {
  return {
    get: (kind, namespace, name) => objects.get(kind, namespace, name),
    list: (kind, namespace, selector) => objects.list(kind, namespace, selector),
    delete: (kind, namespace, name) => objects.delete(kind, namespace, name),
    async apply(obj: KubeObject): Promise<KubeObject> {
      if (obj.kind !== 'Deployment') return objects.apply(obj);
      const current = await objects.get(obj.kind, obj.metadata.namespace, obj.metadata.name);
      const cause = current && describeTemplateChange(current, obj);
      if (!cause) return objects.apply(obj);
      const next = structuredClone(obj);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [CHANGE_CAUSE]: cause };
      return objects.apply(next);
    },
  };
}
