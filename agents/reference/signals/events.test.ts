import { EntityIndex } from '../entity-index.js';
import { SyntheticShop } from '../testing/synthetic-shop.js';
import { eventSignal } from './events.js';

function run(shop: SyntheticShop) {
  const snap = shop.build();
  return eventSignal(snap, new EntityIndex(snap));
}

describe('eventSignal', () => {
  it('reads a probe refused once while a fresh pod starts as its start, not its failure', () => {
    const shop = new SyntheticShop({ durationS: 60 });
    const [old] = shop.podsOf('cart');
    const fresh = shop.startPod('cart', old.rs, 30);
    const refused =
      'Liveness probe failed: Get "http://10.0.0.9:8080/healthz": dial tcp 10.0.0.9:8080: connect: connection refused';
    shop.event(32, 'Warning', 'Unhealthy', 'Pod', fresh.name, refused);
    shop.event(40, 'Warning', 'Unhealthy', 'Pod', old.name, refused);
    const ev = run(shop);
    const weights = ev.symptoms.filter((x) => x.workload === 'shop/Deployment/cart').map((x) => x.weight);
    expect(weights.sort()).toEqual([0.05, 0.55]);
    // Only the long-running pod's refused probe makes the workload a suspect.
    expect(ev.suspects.filter((x) => x.entity === 'shop/Deployment/cart')).toHaveLength(1);
  });

  it('names the quota a FailedCreate event names', () => {
    const shop = new SyntheticShop({ durationS: 60 });
    const rs = shop.podsOf('shipping')[0].rs;
    shop.event(
      30,
      'Warning',
      'FailedCreate',
      'ReplicaSet',
      rs,
      `Error creating: pods "${rs}-x" is forbidden: exceeded quota: team-pods, requested: pods=1, used: pods=9, limited: pods=9`,
      7,
      50,
    );
    const ev = run(shop);
    expect(ev.suspects[0]).toMatchObject({
      entity: 'shop/ResourceQuota/team-pods',
      weight: 0.95,
      affects: ['shop/Deployment/shipping'],
    });
    expect(ev.symptoms[0]).toMatchObject({ workload: 'shop/Deployment/shipping', kind: 'unavailable' });
  });

  it('blames cordoned nodes, a missing claim or a node selector for pods that cannot be scheduled', () => {
    const shop = new SyntheticShop({ durationS: 60 });
    (shop.get('Node/worker-a').spec as { unschedulable?: boolean }).unschedulable = true;
    const [a] = shop.podsOf('currency');
    const [b] = shop.podsOf('catalog');
    const [c] = shop.podsOf('cart');
    shop.event(
      30,
      'Warning',
      'FailedScheduling',
      'Pod',
      a.name,
      '0/2 nodes are available: 1 node(s) were unschedulable, 1 Insufficient cpu.',
    );
    shop.event(
      30,
      'Warning',
      'FailedScheduling',
      'Pod',
      b.name,
      '0/2 nodes are available: persistentvolumeclaim "catalog-data" not found.',
    );
    shop.event(
      30,
      'Warning',
      'FailedScheduling',
      'Pod',
      c.name,
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.",
    );
    const got = run(shop).suspects.map((s) => `${s.entity} ${s.weight}`);
    expect(got).toEqual(
      expect.arrayContaining([
        'Node/worker-a 0.85',
        'shop/Deployment/catalog 0.85',
        'shop/Deployment/cart 0.8',
      ]),
    );
    expect(got.some((g) => g.startsWith('Node/worker-b'))).toBe(false);
  });

  it('tells pods deleted from outside from a rollout replacing them', () => {
    const shop = new SyntheticShop({ durationS: 120 });
    shop.rollout('currency', 20, () => undefined);
    shop.deletePod(shop.podsOf('shipping', 40)[0], 40);
    const ev = run(shop);
    expect(ev.suspects.map((s) => s.entity)).toEqual(['shop/Deployment/shipping']);
  });

  it('maps an OOM kill reported on the node to the container’s workload', () => {
    const shop = new SyntheticShop({ durationS: 60 });
    shop.event(
      30,
      'Warning',
      'OOMKilling',
      'Node',
      'worker-a',
      'Memory cgroup out of memory: Killed process 4242 (payment) total-vm:1kB',
    );
    expect(run(shop).symptoms).toContainEqual(
      expect.objectContaining({ workload: 'shop/Deployment/payment', kind: 'oom' }),
    );
  });
});
