import type { KubeObject } from '../kube/kube-object.js';
import type { ObjectApi } from '../platform/object-api.js';
import type { CaptureScope } from './capture-scope.js';
import { TOPOLOGY_KINDS } from './collect-topology.js';

/** The objects of the app's namespaces, its Namespace objects and every Node, as they are now. */
export async function collectObjects(objects: ObjectApi, scope: CaptureScope): Promise<KubeObject[]> {
  const all: KubeObject[] = [];
  for (const kind of TOPOLOGY_KINDS) {
    for (const o of await objects.list(kind)) {
      const ns = o.metadata.namespace;
      const keep = ns
        ? scope.namespaces.includes(ns)
        : kind === 'Node' || (kind === 'Namespace' && scope.namespaces.includes(o.metadata.name));
      if (keep) all.push(o);
    }
  }
  return all;
}
