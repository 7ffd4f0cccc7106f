import { randomInt, randomUUID } from 'node:crypto';
import { objectKey, labelsMatch, type KubeObject } from '../../kube/kube-object.js';
import type { Clock } from '../../util/clock.js';
import { kubeTime } from '../../kube/kube-time.js';

export type StoreChange = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject };

/**
 * The local substrate's stand-in for the API server: Kubernetes-shaped objects keyed like entity ids,
 * with resourceVersions, generations and change notifications for the controllers. Objects go in and
 * out as deep copies so no caller can mutate stored state behind the controllers' backs.
 */
export class ObjectStore {
  private readonly objects = new Map<string, KubeObject>();
  // Controllers list one kind many times a second; scanning only that kind keeps each pass cheap.
  private readonly byKind = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<(c: StoreChange) => void>();
  /**
   * The store's revision, as etcd's: it starts where a long-lived cluster's would be (millions of writes
   * in), not at 0, so a resourceVersion says nothing of how many runs this substrate has served.
   */
  private version = 1_000_000 + randomInt(90_000_000);

  constructor(private readonly clock: Clock) {}

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(objectKey({ kind, metadata: { name, namespace } }));
    return o ? structuredClone(o) : undefined;
  }

  list(kind: string, namespace?: string, selector?: Record<string, string>): KubeObject[] {
    return this.select(
      kind,
      namespace,
      selector ? (o) => labelsMatch(selector, o.metadata.labels) : undefined,
    );
  }

  /**
   * Copies of the objects of `kind` (in `namespace`, when given) that `keep` accepts, sorted by key. `keep`
   * sees the stored object, read-only: only what it keeps is copied, which is what makes a controller's
   * "pods this ReplicaSet owns" cheap when the namespace holds many pods.
   */
  select(
    kind: string,
    namespace: string | undefined,
    keep?: (o: Readonly<KubeObject>) => boolean,
  ): KubeObject[] {
    const out: [string, KubeObject][] = [];
    for (const [key, o] of this.byKind.get(kind) ?? []) {
      if (namespace !== undefined && o.metadata.namespace !== namespace) continue;
      if (keep && !keep(o)) continue;
      out.push([key, o]);
    }
    return out.sort(([a], [b]) => a.localeCompare(b)).map(([, o]) => structuredClone(o));
  }

  all(): KubeObject[] {
    return [...this.objects.values()].map((o) => structuredClone(o));
  }

  /** Create or replace. A spec change bumps `metadata.generation` as the API server does. */
  apply(obj: KubeObject): KubeObject {
    const key = objectKey(obj);
    const prev = this.objects.get(key);
    const next = structuredClone(obj);
    next.metadata.uid = prev?.metadata.uid ?? next.metadata.uid ?? randomUUID();
    next.metadata.creationTimestamp =
      prev?.metadata.creationTimestamp ?? next.metadata.creationTimestamp ?? kubeTime(this.clock.now());
    const specChanged = !prev || JSON.stringify(prev.spec) !== JSON.stringify(next.spec);
    next.metadata.generation = (prev?.metadata.generation ?? 0) + (specChanged ? 1 : 0) || 1;
    next.metadata.resourceVersion = String(++this.version);
    if (prev && next.status === undefined) next.status = prev.status;
    this.put(key, next);
    this.emit({ type: prev ? 'MODIFIED' : 'ADDED', object: next });
    return structuredClone(next);
  }

  /** Update only `status` (controllers' writes), without touching generation. */
  updateStatus(
    kind: string,
    namespace: string | undefined,
    name: string,
    status: Record<string, unknown>,
  ): void {
    const key = objectKey({ kind, metadata: { name, namespace } });
    const prev = this.objects.get(key);
    if (!prev) return;
    if (JSON.stringify(prev.status) === JSON.stringify(status)) return;
    const next = { ...prev, status: structuredClone(status) };
    next.metadata = { ...prev.metadata, resourceVersion: String(++this.version) };
    this.put(key, next);
    this.emit({ type: 'MODIFIED', object: next });
  }

  delete(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = objectKey({ kind, metadata: { name, namespace } });
    const prev = this.objects.get(key);
    if (!prev) return undefined;
    this.objects.delete(key);
    this.byKind.get(prev.kind)?.delete(key);
    this.emit({ type: 'DELETED', object: prev });
    return structuredClone(prev);
  }

  private put(key: string, o: KubeObject): void {
    this.objects.set(key, o);
    let bucket = this.byKind.get(o.kind);
    if (!bucket) this.byKind.set(o.kind, (bucket = new Map()));
    bucket.set(key, o);
  }

  onChange(listener: (c: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: StoreChange): void {
    for (const l of this.listeners) l({ type: change.type, object: structuredClone(change.object) });
  }
}
