import type { MetricSeries, ObjectChange, ObjectRecord } from '../bundle/records.js';
import { SeededRandom } from '../util/seeded-random.js';
import { PastRollouts, previousRelease } from './past-rollouts.js';

const DEPLOYED = '2026-11-20T08:00:00Z';
const NS_CREATED = '2026-06-01T10:00:00Z';
const REV = 'deployment.kubernetes.io/revision';

function deployment(name: string, created = DEPLOYED, limit = 3): ObjectRecord {
  return {
    entity: `shop/Deployment/${name}`,
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: 'shop',
      uid: `uid-${name}`,
      annotations: { [REV]: '1' },
      creationTimestamp: created,
      generation: 1,
    },
    spec: { replicas: 1, revisionHistoryLimit: limit, template: template('0.1.0') },
    status: { observedGeneration: 1, replicas: 1 },
  };
}

function template(tag: string): Record<string, unknown> {
  return {
    metadata: { labels: { app: 'cart' } },
    spec: {
      terminationGracePeriodSeconds: 10,
      containers: [
        {
          name: 'cart',
          image: `acme/shop:${tag}`,
          env: [
            { name: 'PORT', value: '8080' },
            { name: 'CATALOG_URL', value: 'http://catalog:8080' },
          ],
          resources: { limits: { memory: '192Mi' } },
        },
      ],
    },
  };
}

function replicaSet(
  owner: string,
  hash: string,
  revision: number,
  replicas: number,
  created = DEPLOYED,
): ObjectRecord {
  return {
    entity: `shop/ReplicaSet/${owner}-${hash}`,
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${owner}-${hash}`,
      namespace: 'shop',
      labels: { app: owner, 'pod-template-hash': hash },
      annotations: { [REV]: String(revision), 'deployment.kubernetes.io/desired-replicas': '1' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: owner, uid: `uid-${owner}`, controller: true },
      ],
      creationTimestamp: created,
      generation: 1,
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: owner, 'pod-template-hash': hash } },
      template: template('0.1.0'),
    },
    status: { replicas },
  };
}

const namespace: ObjectRecord = {
  entity: 'Namespace/shop',
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'shop', creationTimestamp: NS_CREATED },
};

/** A shop whose app was deployed at DEPLOYED, months after its namespace, and a store deployed with it. */
function world(extra: ObjectRecord[] = []): ObjectRecord[] {
  return [
    namespace,
    deployment('cart'),
    deployment('redis', NS_CREATED),
    replicaSet('cart', '7f9c8d6b5', 1, 1),
    replicaSet('redis', '6d7cbd67f9', 1, 1, NS_CREATED),
    ...extra,
  ];
}

/** A past with some revisions kept: seeds vary, so look for one that drew a past for cart. */
function withPast(
  records: ObjectRecord[],
  from = 0,
): { past: PastRollouts; out: ObjectRecord[]; seed: number } {
  for (let seed = from; ; seed++) {
    const past = new PastRollouts(new SeededRandom(`k${seed}`, 'past-rollouts'));
    const out = past.objects(records);
    if (out.length > records.length) return { past, out, seed };
  }
}

const oldOf = (out: ObjectRecord[]): ObjectRecord[] =>
  out.filter((r) => r.kind === 'ReplicaSet' && (r.spec as { replicas: number }).replicas === 0);

describe('PastRollouts', () => {
  it('gives a Deployment created with its first ReplicaSet earlier revisions, the last kept at zero replicas', () => {
    const { out } = withPast(world());
    const cart = out.find((r) => r.entity === 'shop/Deployment/cart')!;
    const revision = Number(cart.metadata.annotations?.[REV]);
    const old = oldOf(out).sort(
      (a, b) => Number(a.metadata.annotations?.[REV]) - Number(b.metadata.annotations?.[REV]),
    );
    expect(revision).toBeGreaterThan(1);
    expect(old.length).toBeGreaterThan(0);
    expect(old.length).toBeLessThanOrEqual(3);
    // The kept ones are the last before the run's, consecutive, each created before the next.
    expect(old.map((o) => Number(o.metadata.annotations?.[REV]))).toEqual(
      Array.from({ length: old.length }, (_, i) => revision - old.length + i),
    );
    const created = [cart, ...old].map((o) => Date.parse(o.metadata.creationTimestamp!));
    expect(created[0]).toBeGreaterThan(Date.parse(NS_CREATED));
    for (let i = 1; i < created.length; i++) expect(created[i]).toBeGreaterThanOrEqual(created[i - 1]);
    expect(created[created.length - 1]).toBeLessThan(Date.parse(DEPLOYED));
    // The run's own ReplicaSet keeps its creation and is the newest revision.
    const current = out.find((r) => r.entity === 'shop/ReplicaSet/cart-7f9c8d6b5')!;
    expect(current.metadata.creationTimestamp).toBe(DEPLOYED);
    expect(current.metadata.annotations?.[REV]).toBe(String(revision));
    // Generations count the revisions at least; the controller observed them.
    expect(cart.metadata.generation).toBeGreaterThanOrEqual(revision);
    expect((cart.status as { observedGeneration: number }).observedGeneration).toBe(cart.metadata.generation);
    for (const o of old) {
      expect(o.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Deployment', name: 'cart' });
      expect(o.metadata.name).toBe(`cart-${o.metadata.labels?.['pod-template-hash']}`);
      // As the controller's safe encoding of a decimal hash writes it (cart-788846b69f).
      expect(o.metadata.labels?.['pod-template-hash']).toMatch(/^[4-9bcdf]{1,10}$/);
      expect(o.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    // Each revision's template differs from the next one's.
    const templates = [...old, current].map((o) =>
      JSON.stringify((o.spec as { template: { spec: unknown } }).template.spec),
    );
    for (let i = 1; i < templates.length; i++) expect(templates[i]).not.toBe(templates[i - 1]);
  });

  it('leaves a Deployment alone that has a past of its own, or no room after its namespace was created', () => {
    const own = deployment('payment', '2026-10-01T00:00:00Z');
    const { out } = withPast(world([own, replicaSet('payment', 'abc', 4, 1)]));
    expect(out.find((r) => r.entity === 'shop/Deployment/payment')).toEqual(own);
    expect(out.find((r) => r.entity === 'shop/Deployment/redis')).toEqual(deployment('redis', NS_CREATED));
    expect(oldOf(out).every((o) => o.metadata.name.startsWith('cart-'))).toBe(true);
  });

  it('keeps within revisionHistoryLimit, counting the ReplicaSets the window already scaled to zero', () => {
    for (let from = 0; from < 200; from += 7) {
      const { out } = withPast(world([replicaSet('cart', '5b4c6cffbd', 2, 0)]), from);
      // The window's rollout left one old ReplicaSet; the limit is 3.
      expect(oldOf(out).filter((o) => o.metadata.name !== 'cart-5b4c6cffbd').length).toBeLessThanOrEqual(2);
    }
  });

  it('draws the same past from the same key and another from another', () => {
    const a = new PastRollouts(new SeededRandom('x', 'past-rollouts')).objects(world());
    const b = new PastRollouts(new SeededRandom('x', 'past-rollouts')).objects(world());
    expect(a).toEqual(b);
    const others = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify(new PastRollouts(new SeededRandom(`y${i}`, 'past-rollouts')).objects(world())),
    );
    expect(new Set([JSON.stringify(a), ...others]).size).toBeGreaterThan(2);
  });

  it('reads the window changes alike: revisions, generations and creation of the same Deployment', () => {
    const { past, out } = withPast(world());
    const cart = out.find((r) => r.entity === 'shop/Deployment/cart')!;
    const before = deployment('cart');
    const after = structuredClone(before);
    after.metadata.annotations = { [REV]: '2' };
    after.metadata.generation = 2;
    const change: ObjectChange = {
      ts: '2026-12-06T10:00:00Z',
      action: 'MODIFIED',
      entity: before.entity,
      object: after,
      before,
    };
    const read = past.change(change);
    expect(read.before).toEqual(cart);
    expect(Number(read.object.metadata.annotations?.[REV])).toBe(
      Number(cart.metadata.annotations?.[REV]) + 1,
    );
    expect(read.object.metadata.generation).toBe(cart.metadata.generation! + 1);
    expect(read.object.metadata.creationTimestamp).toBe(cart.metadata.creationTimestamp);
    // A ReplicaSet the window made and removed again is read by its owner.
    const gone = replicaSet('cart', '6b4f9c7d8', 2, 0);
    const removed = past.change({ ts: change.ts, action: 'DELETED', entity: gone.entity, object: gone });
    expect(Number(removed.object.metadata.annotations?.[REV])).toBe(
      Number(cart.metadata.annotations?.[REV]) + 1,
    );
  });

  it("gives each kept ReplicaSet its current one's series at zero replicas, and moves the Deployment's", () => {
    const { past, out } = withPast(world());
    const labels = { instance: '10.244.1.9:8080', job: 'kube-state-metrics', namespace: 'shop' };
    const points = (v: number): MetricSeries['points'] => [
      [1796585055, v],
      [1796585060, v],
    ];
    const series: MetricSeries[] = [
      {
        name: 'kube_deployment_created',
        labels: { deployment: 'cart', ...labels },
        points: points(1795600000),
      },
      {
        name: 'kube_deployment_metadata_generation',
        labels: { deployment: 'cart', ...labels },
        points: points(1),
      },
      {
        name: 'kube_replicaset_created',
        labels: { ...labels, replicaset: 'cart-7f9c8d6b5' },
        points: points(1795600000),
      },
      {
        name: 'kube_replicaset_spec_replicas',
        labels: { ...labels, replicaset: 'cart-7f9c8d6b5' },
        points: points(1),
      },
    ];
    const read = past.series(series);
    const cart = out.find((r) => r.entity === 'shop/Deployment/cart')!;
    const old = oldOf(out);
    expect(read).toHaveLength(4 + 2 * old.length);
    const value = (name: string, l: Record<string, string>) =>
      read.find((s) => s.name === name && Object.entries(l).every(([k, v]) => s.labels[k] === v))
        ?.points[0][1];
    expect(value('kube_deployment_created', { deployment: 'cart' })).toBe(
      Date.parse(cart.metadata.creationTimestamp!) / 1000,
    );
    expect(value('kube_deployment_metadata_generation', { deployment: 'cart' })).toBe(
      cart.metadata.generation,
    );
    for (const o of old) {
      expect(value('kube_replicaset_spec_replicas', { replicaset: o.metadata.name })).toBe(0);
      expect(value('kube_replicaset_created', { replicaset: o.metadata.name })).toBe(
        Date.parse(o.metadata.creationTimestamp!) / 1000,
      );
    }
    const keys = read.map((s) => `${s.name}${JSON.stringify(s.labels)}`);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
    const topo = past.topology({ entities: [], edges: [] });
    expect(topo.edges).toEqual(
      old
        .map((o) => ({ from: 'shop/Deployment/cart', to: o.entity, type: 'owns' }))
        .sort((a, b) => a.to.localeCompare(b.to)),
    );
  });

  it("words each kept revision's cause as kubectl --record would, when the run's team records them", () => {
    for (let seed = 0; seed < 30; seed++) {
      const records = world();
      const quiet = new PastRollouts(new SeededRandom(`c${seed}`, 'past-rollouts')).objects(records);
      expect(JSON.stringify(quiet)).not.toContain('kubernetes.io/change-cause');
      const out = new PastRollouts(new SeededRandom(`c${seed}`, 'past-rollouts'), {
        recordChangeCause: true,
      }).objects(records);
      const old = oldOf(out);
      if (old.length === 0) continue;
      for (const o of old)
        expect(o.metadata.annotations?.['kubernetes.io/change-cause']).toMatch(
          /^kubectl (set image deployment\/cart cart=acme\/shop:0\.\d\.\d|set resources deployment\/cart --limits=memory=\d+Mi|set env deployment\/cart \w+-|apply -f cart\.yaml)/,
        );
      const cart = out.find((r) => r.entity === 'shop/Deployment/cart')!;
      const current = out.find((r) => r.entity === 'shop/ReplicaSet/cart-7f9c8d6b5')!;
      expect(cart.metadata.annotations?.['kubernetes.io/change-cause']).toBeDefined();
      expect(current.metadata.annotations?.['kubernetes.io/change-cause']).toBe(
        cart.metadata.annotations?.['kubernetes.io/change-cause'],
      );
      // The past is the same draw either way: only the causes are added.
      expect(out.map((r) => r.metadata.creationTimestamp)).toEqual(
        quiet.map((r) => r.metadata.creationTimestamp),
      );
    }
  });

  it('counts releases back along a plain version line', () => {
    expect(previousRelease('0.1.0')).toBe('0.0.9');
    expect(previousRelease('1.4.2')).toBe('1.4.1');
    expect(previousRelease('2.0.0')).toBe('1.9.9');
    expect(previousRelease('0.0.0')).toBeUndefined();
    expect(previousRelease('0.1.0-12-g3f9c2ab')).toBeUndefined();
  });
});
