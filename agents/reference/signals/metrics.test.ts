import { EntityIndex } from '../entity-index.js';
import { SyntheticShop } from '../testing/synthetic-shop.js';
import { metricSignal } from './metrics.js';

function run(shop: SyntheticShop) {
  const snap = shop.build();
  return metricSignal(snap, new EntityIndex(snap));
}

describe('metricSignal', () => {
  it('reads restarts, OOM kills and waiting reasons from kube-state-metrics', () => {
    const shop = new SyntheticShop({ durationS: 200 });
    const pod = shop.podsOf('payment')[0].name;
    shop.podState(pod, 60, {
      restartsPerMinute: 3,
      lastTerminated: 'OOMKilled',
      waiting: 'CrashLoopBackOff',
    });
    const kinds = run(shop)
      .symptoms.filter((s) => s.workload === 'shop/Deployment/payment')
      .map((s) => s.kind)
      .sort();
    expect(kinds).toEqual(['crash', 'crash', 'oom']);
  });

  it('sees memory growing towards the limit and CPU at it', () => {
    const shop = new SyntheticShop({ durationS: 240 });
    shop.podState(shop.podsOf('cart')[0].name, 0, { memoryBytesPerMinute: 35 * 2 ** 20 });
    shop.podState(shop.podsOf('currency')[0].name, 100, { cpuCores: 0.49 });
    const got = run(shop).symptoms.map((s) => `${s.workload} ${s.kind}`);
    expect(got).toEqual(
      expect.arrayContaining(['shop/Deployment/cart memory', 'shop/Deployment/currency saturation']),
    );
  });

  it('makes a drop of desired replicas to zero a suspect', () => {
    const shop = new SyntheticShop({ durationS: 200 });
    shop.scale('shipping', 100, 0);
    expect(run(shop).suspects).toContainEqual(
      expect.objectContaining({ entity: 'shop/Deployment/shipping', weight: 0.85 }),
    );
  });

  it('finds nothing in a healthy shop', () => {
    const ev = run(new SyntheticShop({ durationS: 200 }));
    expect([...ev.symptoms, ...ev.suspects]).toEqual([]);
  });
});
