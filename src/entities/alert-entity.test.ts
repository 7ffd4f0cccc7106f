import { alertEntity } from './alert-entity.js';

describe('alertEntity', () => {
  it('reads the subject of an alert: pod, Deployment, then the object a kube-state-metrics alert is about', () => {
    expect(alertEntity({ namespace: 'shop', pod: 'cart-1', deployment: 'cart' })).toBe('shop/Pod/cart-1');
    expect(alertEntity({ namespace: 'shop', deployment: 'cart' })).toBe('shop/Deployment/cart');
    // A quota or an autoscaler alert names that object: the propagation then reaches it from its cause.
    expect(alertEntity({ namespace: 'shop', resourcequota: 'shipping-quota' })).toBe(
      'shop/ResourceQuota/shipping-quota',
    );
    expect(alertEntity({ namespace: 'shop', horizontalpodautoscaler: 'frontend' })).toBe(
      'shop/HorizontalPodAutoscaler/frontend',
    );
    expect(alertEntity({ namespace: 'shop', service: 'checkout' })).toBe('shop/Service/checkout');
    expect(alertEntity({ namespace: 'shop', job_name: 'sync-1', job: 'kube-state-metrics' })).toBe(
      'shop/Job/sync-1',
    );
    expect(alertEntity({ pod: 'x' })).toBeUndefined();
  });
});
