import { containersOf } from '../../kube/containers.js';
import type { Container, KubeObject, PodSpec, PodTemplate } from '../../kube/kube-object.js';
import { podSpecOf, podTemplateOf } from '../../kube/pod-template.js';
import type { ObjectApi } from '../../platform/object-api.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { EntityRef } from '../../entities/entity-id.js';
import type { Logger } from '../../logging/logger.js';
import type { Undo } from '../fault-type.js';
import { injectOrRollBack } from './roll-back.js';
import { kubeTime } from '../../kube/kube-time.js';

/** Server-populated fields that must not be sent back when restoring an object. */
function restorable(obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  const m = copy.metadata;
  delete m.resourceVersion;
  delete m.uid;
  delete m.generation;
  delete m.creationTimestamp;
  delete m.managedFields;
  delete copy.status;
  return copy;
}

export async function requireObject(objects: ObjectApi, ref: EntityRef): Promise<KubeObject> {
  const obj = await objects.get(ref.kind, ref.namespace, ref.name);
  if (!obj) {
    throw new InvalidInputError(
      `fault target ${ref.namespace ? `${ref.namespace}/` : ''}${ref.kind}/${ref.name} does not exist`,
    );
  }
  return obj;
}

/** A change to one object, computed but not yet applied, with the undo that puts back the exact prior object. */
export interface PlannedChange {
  /** The object as read, server fields included. */
  readonly before: KubeObject;
  /** What to apply: the prior object without server fields, with the change made. */
  readonly next: KubeObject;
  /** Applies the prior object (copied before the change); valid whether or not `next` was ever applied. */
  restore(): Promise<void>;
}

/**
 * Reads the object and plans a change to it. `change` runs on a copy, so when it throws (bad params) nothing
 * has been changed yet; the caller applies `next` and keeps `restore` as its undo.
 */
export async function planChange(
  objects: ObjectApi,
  ref: EntityRef,
  change: (obj: KubeObject) => void,
): Promise<PlannedChange> {
  const before = await requireObject(objects, ref);
  const saved = restorable(before);
  const next = restorable(before);
  change(next);
  return {
    before,
    next,
    restore: async () => {
      await objects.apply(structuredClone(saved));
    },
  };
}

/** `Kind namespace/name`, for messages about the target. */
function nameOf(obj: KubeObject): string {
  return `${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

/** The target workload's pod template, for a change to it; an object without one is refused. */
export function requirePodTemplate(obj: KubeObject): PodTemplate {
  const template = podTemplateOf(obj);
  if (!template) throw new InvalidInputError(`${nameOf(obj)} has no pod template to change`);
  return template;
}

/** The pod spec of the target workload's template, for a change to it; an object without one is refused. */
export function requirePodSpec(obj: KubeObject): PodSpec {
  const spec = podSpecOf(obj);
  if (!spec) throw new InvalidInputError(`${nameOf(obj)} has no pod spec to change`);
  return spec;
}

/**
 * The named container of a Deployment's pod template, or its first when no name is given. A name that
 * matches nothing is refused rather than silently breaking another container.
 */
export function containerOf(deploy: KubeObject, name: string | undefined): Container {
  const cs = containersOf(podSpecOf(deploy));
  const c = name === undefined ? cs[0] : cs.find((x) => x.name === name);
  if (!c) {
    throw new InvalidInputError(
      `Deployment ${deploy.metadata.namespace ?? ''}/${deploy.metadata.name} has no container "${name}"; its containers: ${cs.map((x) => x.name).join(', ')}`,
    );
  }
  return c;
}

/**
 * `kubectl rollout restart`: a template annotation change makes the Deployment roll out new pods. kubectl
 * writes the time in RFC 3339 whole seconds (Go's time.RFC3339), as the API server writes its own times.
 */
export function markRestart(deploy: KubeObject, at: Date): void {
  const template = requirePodTemplate(deploy);
  template.metadata ??= {};
  template.metadata.annotations = {
    ...(template.metadata.annotations ?? {}),
    'kubectl.kubernetes.io/restartedAt': kubeTime(at.getTime()),
  };
}

/**
 * The usual one-object fault: applies the planned change with `restore` as its undo. A failed apply is
 * rolled back too, since the server may have taken the change even when the call failed.
 */
export function applyPlanned(
  objects: ObjectApi,
  logger: Logger,
  plan: PlannedChange,
  description: string,
): Promise<Undo> {
  return injectOrRollBack(logger, { description, undo: () => plan.restore() }, () =>
    objects.apply(plan.next),
  );
}
