import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import type { ObjectApi } from '../../platform/object-api.js';
import type { Undo } from '../fault-type.js';

/*
 * An object a fault adds to its target's namespace (a pod quota, a LimitRange) and deletes on undo.
 */

/**
 * Refuses a name already taken before anything changes: deleting that object on undo would not put back
 * what was there. `noun` ends the message ("so name another quota"). Returns the object's id.
 */
export async function refuseTakenName(
  objects: ObjectApi,
  kind: string,
  namespace: string,
  name: string,
  noun: string,
): Promise<string> {
  const id = `${namespace}/${kind}/${name}`;
  if (await objects.get(kind, namespace, name)) {
    throw new InvalidInputError(
      `${id} already exists; removing it would not restore what was there, so name another ${noun}`,
    );
  }
  return id;
}

/** The `app.kubernetes.io/part-of` label of the target, as metadata to spread: the object belongs to the same app. */
export function partOfLabels(target: KubeObject): { labels?: Record<string, string> } {
  const partOf = target.metadata.labels?.['app.kubernetes.io/part-of'];
  return partOf ? { labels: { 'app.kubernetes.io/part-of': partOf } } : {};
}

/** The undo that deletes the object the fault created. */
export function deleteOnUndo(objects: ObjectApi, kind: string, namespace: string, name: string): Undo {
  return {
    description: `delete ${kind} ${namespace}/${kind}/${name}`,
    undo: async () => {
      await objects.delete(kind, namespace, name);
    },
  };
}
