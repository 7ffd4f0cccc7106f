import { podBelongsTo, workloadOfPod } from './pod-workload.js';

describe('workloadOfPod', () => {
  it.each([
    ['cart-7d9f8c6b45-x2x4q', 'cart'],
    ['redis-6f787f59c-rfglg', 'redis'],
    ['payment-bcdfbcdfbc-h8j2k', 'payment'],
    ['catalog-sync-29012345-k7p2d', 'catalog-sync'],
    ['seed-catalog-4xk2p', 'seed-catalog'],
    ['redis-0', 'redis'],
    ['frontend', 'frontend'],
  ])('maps %s to %s', (pod, workload) => {
    expect(workloadOfPod(pod)).toBe(workload);
  });

  it('tells the pods of a workload from those of another whose name it starts', () => {
    expect(podBelongsTo('cart-7d9f8c6b45-x2x4q', 'cart')).toBe(true);
    expect(podBelongsTo('cart-cleanup-29012345-k7p2d', 'cart')).toBe(false);
    expect(podBelongsTo('cart-cleanup-29012345-k7p2d', 'cart-cleanup')).toBe(true);
  });
});
