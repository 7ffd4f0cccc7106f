import { EntityIndex } from '../entity-index.js';
import { podLifecycles } from '../pod-lifecycle.js';
import { SyntheticShop } from '../testing/synthetic-shop.js';
import { logSignal } from './logs.js';

function run(shop: SyntheticShop) {
  const snap = shop.build();
  const index = new EntityIndex(snap);
  return logSignal(snap, index, podLifecycles(snap, index));
}

describe('logSignal', () => {
  it('turns a fatal configuration error that names a mounted file into a suspect for its ConfigMap', () => {
    const shop = new SyntheticShop({ durationS: 60 });
    const pod = shop.podsOf('payment')[0].name;
    shop.log(30, pod, 'payment', {
      level: 'fatal',
      err_code: 'EINVALIDCONFIG',
      msg: 'invalid configuration in /etc/shop/config.json: Unexpected end of JSON input',
    });
    const ev = run(shop);
    expect(ev.symptoms.map((s) => s.kind).sort()).toEqual(['config', 'crash']);
    expect(ev.suspects).toEqual([
      expect.objectContaining({
        entity: 'shop/ConfigMap/payment-config',
        affects: ['shop/Deployment/payment'],
      }),
    ]);
  });

  it('does not count benign warnings (retries that succeed, slow requests, cache misses) as trouble', () => {
    const shop = new SyntheticShop({ durationS: 240 });
    const pod = shop.podsOf('frontend')[0].name;
    for (let t = 5; t < 240; t += 20) {
      shop.log(t, pod, 'frontend', {
        level: 'warn',
        dependency: 'currency',
        err_code: 'ECONNRESET',
        retrying: true,
        msg: 'currency call failed: socket hang up, retrying',
      });
      shop.log(t + 2, pod, 'frontend', { level: 'warn', msg: 'slow request: 420ms' });
    }
    expect(run(shop).symptoms).toEqual([]);
  });

  it("leaves the store alone when statements gave up waiting for the caller's own pool", () => {
    const failing = (code: string) => {
      const shop = new SyntheticShop({ durationS: 120 });
      const pod = shop.podsOf('cart')[0].name;
      for (let t = 40; t < 120; t += 0.5)
        shop.log(t, pod, 'cart', {
          level: 'error',
          dependency: 'redis',
          err_code: code,
          msg: `statement failed: ${code}`,
        });
      return run(shop).symptoms.filter((x) => x.workload === 'shop/Deployment/redis');
    };
    expect(failing('ECONNREFUSED')).not.toEqual([]);
    expect(failing('POOL_TIMEOUT')).toEqual([]);
  });

  it('blames the Secret when freshly started pods are refused from their first connection', () => {
    const shop = new SyntheticShop({ durationS: 150 });
    const fresh = shop.podsOf('cart', 100).flatMap((p) => shop.deletePod(p, 100) ?? []);
    // The client logs a connection error at most every 10 s: a handful of lines is all there is.
    for (const p of fresh)
      for (let t = 103; t < 150; t += 10)
        shop.log(t, p.name, 'cart', {
          level: 'warn',
          dependency: 'redis',
          err_code: 'WRONGPASS',
          msg: 'redis connection error: WRONGPASS',
        });
    const ev = run(shop);
    expect(ev.suspects).toEqual([
      expect.objectContaining({ entity: 'shop/Secret/redis-auth', weight: 0.85 }),
    ]);
    const rejects = ev.symptoms.find((s) => s.kind === 'auth-rejects');
    expect(rejects?.workload).toBe('shop/Deployment/redis');
    expect(rejects?.weight).toBeLessThan(0.3);
  });
});

describe('logSignal: configuration paths', () => {
  it('recognises the kubelet path of a mounted ConfigMap volume in a fatal line', () => {
    const shop = new SyntheticShop({ durationS: 60 });
    const pod = shop.podsOf('payment')[0].name;
    shop.log(30, pod, 'payment', {
      level: 'fatal',
      err_code: 'EINVALIDCONFIG',
      msg: 'invalid configuration in /var/lib/kubelet/pods/0c1d/volumes/kubernetes.io~configmap/config/config.json: not valid JSON',
    });
    expect(run(shop).suspects.map((s) => s.entity)).toEqual(['shop/ConfigMap/payment-config']);
  });
});
