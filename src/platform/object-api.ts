import type { KubeObject } from '../kube/kube-object.js';

/**
 * The slice of the Kubernetes API that faults, capture and deploy need. The local substrate implements
 * it over its object store; the Kubernetes substrates over client-node. Faults written against it run
 * on both.
 */
export interface ObjectApi {
  get(kind: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
  list(kind: string, namespace?: string, selector?: Record<string, string>): Promise<KubeObject[]>;
  /** Create or replace the whole object (server-side apply with firedrill's field manager on Kubernetes). */
  apply(obj: KubeObject): Promise<KubeObject>;
  /** Returns false when there was nothing to delete. Deleting a Pod lets its controller replace it. */
  delete(kind: string, namespace: string | undefined, name: string): Promise<boolean>;
}
