import type { KubeObject } from '../kube/kube-object.js';
import type { ObjectApi } from '../platform/object-api.js';
import { MemoryObjects } from '../faults/testing/fake-target.js';
import { clearEvents, pruneReplicaSetHistory, removeStatelessDeployments } from './fresh-app.js';

/** An API server whose garbage collector takes two more lists to collect a deleted Deployment's ReplicaSets. */
class SlowGcApi implements ObjectApi {
  readonly objects = new Map<string, KubeObject>();
  readonly deleted: string[] = [];
  private collecting: Array<{ owner: string; lists: number }> = [];

  add(o: KubeObject): void {
    this.objects.set(`${o.kind}/${o.metadata.name}`, o);
  }
  async get(kind: string, _ns: string | undefined, name: string): Promise<KubeObject | undefined> {
    return this.objects.get(`${kind}/${name}`);
  }
  async list(kind: string): Promise<KubeObject[]> {
    for (const c of this.collecting) c.lists++;
    for (const c of this.collecting.filter((x) => x.lists > 2))
      for (const [k, o] of this.objects)
        if (o.metadata.ownerReferences?.some((r) => r.name === c.owner)) this.objects.delete(k);
    this.collecting = this.collecting.filter((x) => x.lists <= 2);
    return [...this.objects.values()].filter((o) => o.kind === kind);
  }
  async apply(o: KubeObject): Promise<KubeObject> {
    this.add(o);
    return o;
  }
  async delete(kind: string, _ns: string | undefined, name: string): Promise<boolean> {
    this.deleted.push(`${kind}/${name}`);
    const had = this.objects.delete(`${kind}/${name}`);
    if (kind === 'Deployment') this.collecting.push({ owner: name, lists: 0 });
    return had;
  }
}

const deployment = (name: string, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: { template: { spec: { containers: [{ name, image }] } } },
});
const replicaSet = (name: string, owner: string, replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name,
    namespace: 'shop',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid: owner }],
  },
  spec: { replicas },
  status: { replicas },
});

describe('a fresh app for every run', () => {
  it('deletes the Deployments that hold no data and waits until their ReplicaSets are collected', async () => {
    const api = new SlowGcApi();
    api.add(deployment('cart', 'acme/shop:0.1.0'));
    api.add(deployment('redis', 'redis:7.0.15'));
    api.add(deployment('postgres', 'docker.io/library/postgres:16'));
    api.add(replicaSet('cart-588f86ccd4', 'cart', 0));
    api.add(replicaSet('cart-6d877ff6c6', 'cart', 2));
    api.add(replicaSet('redis-7f9c', 'redis', 1));
    expect(await removeStatelessDeployments(api, 'shop', 5_000)).toEqual(['cart']);
    expect(api.deleted).toEqual(['Deployment/cart']);
    expect([...api.objects.keys()].sort()).toEqual([
      'Deployment/postgres',
      'Deployment/redis',
      'ReplicaSet/redis-7f9c',
    ]);
  });

  it('names the ReplicaSets still there when the collector does not come', async () => {
    const api = new SlowGcApi();
    api.add(deployment('cart', 'acme/shop:0.1.0'));
    api.add(replicaSet('cart-588f86ccd4', 'cart', 0));
    api.list = async (kind: string) => [...api.objects.values()].filter((o) => o.kind === kind);
    await expect(removeStatelessDeployments(api, 'shop', 600)).rejects.toThrow(/cart-588f86ccd4/);
  });

  it('prunes only the old revisions, never a ReplicaSet that still has pods', async () => {
    const api = new SlowGcApi();
    api.add(replicaSet('redis-old', 'redis', 0));
    api.add(replicaSet('redis-now', 'redis', 1));
    const draining = replicaSet('redis-draining', 'redis', 0);
    draining.status = { replicas: 1 };
    api.add(draining);
    expect(await pruneReplicaSetHistory(api, 'shop')).toEqual(['redis-old']);
  });
});

describe('clearEvents', () => {
  it("deletes the namespaces' Events and nothing else", async () => {
    const event = (name: string, namespace: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
    });
    const api = new MemoryObjects([
      event('cart-1.17a', 'shop'),
      event('worker-1.17b', 'default'),
      event('grafana.17c', 'monitoring'),
      deployment('cart', 'acme/shop:0.1.0'),
    ]);
    expect(await clearEvents(api, ['shop', 'default'])).toBe(2);
    expect((await api.list('Event')).map((e) => e.metadata.name)).toEqual(['grafana.17c']);
    expect(await api.list('Deployment')).toHaveLength(1);
  });
});
