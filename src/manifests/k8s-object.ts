import type { KubeObject } from '../kube/kube-object.js';

export { objectKey } from '../kube/kube-object.js';

/**
 * A Kubernetes object as written in a manifest (plain JSON, no client model classes). The same shape
 * the local substrate's object store and the kind substrate's server-side apply take.
 */
export type K8sObject = KubeObject;

/** Where an object was read from, for error messages: file path and 1-based line of its first key. */
export interface ManifestSource {
  file: string;
  line: number;
}

export interface ManifestEntry {
  object: K8sObject;
  source: ManifestSource;
}
