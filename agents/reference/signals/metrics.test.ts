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

  it('counts throttling that began only once the container was restarting as start-up work, little', () => {
    const stage = (restartAt: number | undefined) => {
      const shop = new SyntheticShop({ durationS: 240 });
      const pod = shop.podsOf('frontend')[0].name;
      const labels = { pod, container: 'frontend' };
      // 100 CFS periods a second; from 150 s on, 40 of them throttled.
      shop.metric('container_cpu_cfs_periods_total', labels, (s) => s * 100);
      shop.metric('container_cpu_cfs_throttled_periods_total', labels, (s) => Math.max(0, s - 150) * 40);
      if (restartAt !== undefined) shop.podState(pod, restartAt, { restartsPerMinute: 2 });
      const sat = run(shop).symptoms.find(
        (s) => s.workload === 'shop/Deployment/frontend' && s.kind === 'saturation',
      );
      if (!sat) throw new Error('no throttling read');
      return sat;
    };
    const own = stage(undefined);
    expect(own.weight).toBeGreaterThan(0.6);
    // Restarting from 100 s, throttled from 150 s: the restarts' start-ups.
    const startUp = stage(100);
    expect(startUp.weight).toBeCloseTo(own.weight * 0.3, 5);
    expect(startUp.detail).toMatch(/only once its container was restarting/);
    // Throttled before it restarted (a CPU limit too low, then liveness timeouts): its own.
    expect(stage(200).weight).toBeCloseTo(own.weight, 5);
  });

  it("does not read a new pod's start-up as memory growth, but still a leak in a pod that has settled", () => {
    // Restarted at 100 s: its first scrapes catch the process loading (70 → 130 MiB in 30 s), then flat.
    const restarted = new SyntheticShop({ durationS: 240 });
    const fresh = restarted.rollout('cart', 100, (t) => {
      t.metadata = { ...t.metadata, annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } };
    }).pods[0].name;
    restarted.podState(fresh, 100, { memoryBytesPerMinute: 120 * 2 ** 20 }, 130);
    expect(run(restarted).symptoms.filter((x) => x.kind === 'memory')).toEqual([]);
    // The same pod leaking after its start-up: growth from its settled level counts.
    const leaking = new SyntheticShop({ durationS: 240 });
    const pod = leaking.rollout('cart', 60, (t) => {
      t.metadata = { ...t.metadata, annotations: { 'kubectl.kubernetes.io/restartedAt': 'now' } };
    }).pods[0].name;
    leaking.podState(pod, 100, { memoryBytesPerMinute: 45 * 2 ** 20 });
    expect(run(leaking).symptoms).toContainEqual(
      expect.objectContaining({ workload: 'shop/Deployment/cart', kind: 'memory' }),
    );
  });

  it('sees a consumer group that stopped taking messages, and not one that keeps failing on them', () => {
    const stalled = new SyntheticShop({ durationS: 240 });
    const labels = { job: 'shop', service: 'shipping', queue: 'orders', group: 'shipping' };
    stalled.metric('queue_consumer_lag', labels, (s) => (s < 100 ? 0 : (s - 100) / 5));
    stalled.metric('queue_messages_processed_total', { ...labels, outcome: 'ok' }, (s) => Math.min(s, 100));
    expect(run(stalled).symptoms).toContainEqual(
      expect.objectContaining({ workload: 'shop/Deployment/shipping', kind: 'unavailable' }),
    );

    const failing = new SyntheticShop({ durationS: 240 });
    failing.metric('queue_consumer_lag', labels, (s) => (s < 100 ? 0 : (s - 100) / 5));
    failing.metric('queue_messages_processed_total', { ...labels, outcome: 'ok' }, (s) => Math.min(s, 100));
    failing.metric('queue_messages_processed_total', { ...labels, outcome: 'error' }, (s) =>
      Math.max(0, s - 100),
    );
    expect(run(failing).symptoms.filter((x) => x.kind === 'unavailable')).toEqual([]);
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
