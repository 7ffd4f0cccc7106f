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

  it('reads probes refused as a restarted container starts, or as a replaced one stops, as lifecycle', () => {
    const shop = new SyntheticShop({ durationS: 60 });
    const [restarted] = shop.podsOf('cart');
    const [other] = shop.podsOf('payment');
    const [stopped] = shop.podsOf('currency');
    const refused = (port: number) =>
      `Readiness probe failed: Get "http://10.0.0.9:${port}/readyz": dial tcp 10.0.0.9:${port}: connect: connection refused`;
    // Started at creation long before the window, then again after a liveness restart: one folded event each.
    shop.event(-900, 'Normal', 'Started', 'Pod', restarted.name, 'Started container cart', 2, 30);
    shop.event(-898, 'Warning', 'Unhealthy', 'Pod', restarted.name, refused(8080), 2, 31);
    // The rollout stops the old pod; its port closes before the process exits.
    shop.event(-900, 'Normal', 'Started', 'Pod', stopped.name, 'Started container currency');
    shop.event(20, 'Normal', 'Killing', 'Pod', stopped.name, 'Stopping container currency');
    shop.event(21, 'Warning', 'Unhealthy', 'Pod', stopped.name, refused(8081));
    // Refused long after its start and with no stop: the probe checks what the container does not serve.
    shop.event(-900, 'Normal', 'Started', 'Pod', other.name, 'Started container payment');
    shop.event(40, 'Warning', 'Unhealthy', 'Pod', other.name, refused(8082), 2, 45);
    const ev = run(shop);
    const weights = (w: string) =>
      ev.symptoms
        .filter((x) => x.workload === `shop/Deployment/${w}` && x.detail.includes('Unhealthy'))
        .map((x) => x.weight);
    expect(weights('currency')).toEqual([0.05]);
    expect(weights('cart')).toEqual([0.05]);
    expect(weights('payment')).toEqual([0.6]);
    expect(ev.suspects.filter((x) => /probe/.test(x.detail)).map((x) => x.entity)).toEqual([
      'shop/Deployment/payment',
    ]);
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

  it('names the LimitRange holding the bound a refusal quotes, not every LimitRange of the namespace', () => {
    const shop = new SyntheticShop({ durationS: 60 });
    const range = (name: string, memory: string) =>
      shop.add({
        entity: `shop/LimitRange/${name}`,
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name, namespace: 'shop', creationTimestamp: shop.iso(-86_400) },
        spec: { limits: [{ type: 'Container', max: { memory } }] },
      });
    range('platform-bounds', '1Gi');
    range('container-limits', '128Mi');
    const rs = shop.podsOf('cart')[0].rs;
    const refusal = `Error creating: pods "${rs}-x7k2p" is forbidden: maximum memory usage per Container is 128Mi, but limit is 192Mi`;
    shop.event(30, 'Warning', 'FailedCreate', 'ReplicaSet', rs, refusal, 5, 50);
    const blamed = run(shop).suspects.filter((x) => x.entity.includes('/LimitRange/'));
    expect(blamed.map((x) => `${x.entity} ${x.weight}`)).toEqual(['shop/LimitRange/container-limits 0.95']);
    // A bound no LimitRange holds as written (1024Mi is 1Gi): the match is by quantity, not by text.
    const other = new SyntheticShop({ durationS: 60 });
    other.add({
      entity: 'shop/LimitRange/platform-bounds',
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'platform-bounds', namespace: 'shop', creationTimestamp: other.iso(-86_400) },
      spec: { limits: [{ type: 'Container', max: { memory: '1Gi' } }] },
    });
    other.event(30, 'Warning', 'FailedCreate', 'ReplicaSet', rs, refusal.replace('128Mi', '1024Mi'), 5, 50);
    expect(
      run(other)
        .suspects.filter((x) => x.entity.includes('/LimitRange/'))
        .map((x) => x.entity),
    ).toEqual(['shop/LimitRange/platform-bounds']);
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
