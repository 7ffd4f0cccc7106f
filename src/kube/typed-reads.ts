import type { KubeObject } from './kube-object.js';
import { asKind, ofKind, type KindMap, type KubeKind } from './typed-objects.js';

/** The reads of an object API (ObjectApi, the local object store through its cluster) typed reads build on. */
export interface ObjectReader {
  get(kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(kind: string, namespace?: string, selector?: Record<string, string>): Promise<KubeObject[]>;
}

/** `objects.list(kind, ...)` as the kind's typed view. */
export async function listKind<K extends KubeKind>(
  objects: Pick<ObjectReader, 'list'>,
  kind: K,
  namespace?: string,
  selector?: Record<string, string>,
): Promise<Array<KindMap[K]>> {
  return ofKind(await objects.list(kind, namespace, selector), kind);
}

/** `objects.get(kind, ...)` as the kind's typed view. */
export async function getKind<K extends KubeKind>(
  objects: Pick<ObjectReader, 'get'>,
  kind: K,
  namespace: string | undefined,
  name: string,
): Promise<KindMap[K] | undefined> {
  return asKind(await objects.get(kind, namespace, name), kind);
}
