import { EntityIndex } from './entity-index.js';
import { SyntheticShop } from './testing/synthetic-shop.js';

describe('EntityIndex', () => {
  const shop = new SyntheticShop({ durationS: 20 });
  shop.add({
    entity: 'shop/Pod/report-28aa1-x7k2p',
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'report-28aa1-x7k2p',
      namespace: 'shop',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'report-28aa1' }],
    },
  });
  const snap = shop.build();
  const index = new EntityIndex(snap);

  it('maps pods to their Deployment through owner references', () => {
    const pod = shop.podsOf('cart')[0];
    expect(index.workloadOf(`shop/Pod/${pod.name}`)?.id).toBe('shop/Deployment/cart');
    expect(index.workloadOf(`shop/ReplicaSet/${pod.rs}`)?.id).toBe('shop/Deployment/cart');
  });

  it('maps pods that are gone by their names, cluster-style and local-style', () => {
    expect(index.workloadOf('shop/Pod/checkout-7d9f8b6c5d-x2x9q')?.id).toBe('shop/Deployment/checkout');
    expect(index.workloadOf('shop/Pod/checkout-3')?.id).toBe('shop/Deployment/checkout');
    expect(index.workloadOf('shop/Pod/unknown-7d9f8b6c5d-x2x9q')).toBeUndefined();
  });

  it('leaves batch pods out of every workload', () => {
    expect(index.isBatchPod('shop/Pod/report-28aa1-x7k2p')).toBe(true);
    expect(index.workloadOf('shop/Pod/report-28aa1-x7k2p')).toBeUndefined();
  });

  it('finds workloads by the names telemetry uses, and the Services in front of them', () => {
    expect(index.workloadByTelemetry('payment')?.id).toBe('shop/Deployment/payment');
    const payment = index.workloads.get('shop/Deployment/payment');
    expect(payment && index.servicesOf(payment).map((s) => s.entity)).toEqual(['shop/Service/payment']);
    expect(index.workloadsBehindService('shop/Service/redis').map((w) => w.id)).toEqual([
      'shop/Deployment/redis',
    ]);
  });

  it('knows which workloads read a Secret or ConfigMap', () => {
    expect(
      index
        .usersOf('shop/Secret/redis-auth')
        .map((w) => w.id)
        .sort(),
    ).toEqual(['shop/Deployment/cart', 'shop/Deployment/redis']);
    expect(index.usersOf('shop/ConfigMap/payment-config').map((w) => w.id)).toEqual([
      'shop/Deployment/payment',
    ]);
  });
});
