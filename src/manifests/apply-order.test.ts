import { applyOrder } from './apply-order.js';

describe('applyOrder', () => {
  it('puts namespaces first, configuration before Services before workloads before batch jobs, and keeps ties in order', () => {
    const objects = [
      { kind: 'CronJob', n: 'cart-cleanup' },
      { kind: 'Deployment', n: 'cart' },
      { kind: 'Service', n: 'cart' },
      { kind: 'Widget', n: 'x' },
      { kind: 'ConfigMap', n: 'cart-config' },
      { kind: 'Deployment', n: 'redis' },
      { kind: 'Secret', n: 'redis-auth' },
      { kind: 'Namespace', n: 'shop' },
    ];
    expect(applyOrder(objects).map((o) => `${o.kind}/${o.n}`)).toEqual([
      'Namespace/shop',
      'Secret/redis-auth',
      'ConfigMap/cart-config',
      'Service/cart',
      'Deployment/cart',
      'Deployment/redis',
      'CronJob/cart-cleanup',
      'Widget/x',
    ]);
    expect(objects[0]?.kind).toBe('CronJob');
  });
});
