import { describe, expect, it } from '@jest/globals';
import { fakeTarget } from '../faults/testing/fake-target.js';
import type { KubeObject } from '../kube/kube-object.js';
import { changeCauseTarget } from './change-cause-target.js';

const cart: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'cart', namespace: 'shop' },
  spec: { template: { spec: { containers: [{ name: 'cart', image: 'acme/shop:0.1.0' }] } } },
};

function withImage(image: string): KubeObject {
  const d = structuredClone(cart);
  (
    d.spec as { template: { spec: { containers: Array<{ image: string }> } } }
  ).template.spec.containers[0].image = image;
  return d;
}

describe('changeCauseTarget', () => {
  it('annotates every rollout when the run records them, whoever makes it, and leaves other kinds alone', async () => {
    const inner = fakeTarget([structuredClone(cart)]);
    const target = changeCauseTarget(inner, true);
    await target.objects.apply(withImage('acme/shop:0.1.1'));
    const after = await inner.objects.get('Deployment', 'shop', 'cart');
    expect(after?.metadata.annotations?.['kubernetes.io/change-cause']).toBe(
      'kubectl set image deployment/cart cart=acme/shop:0.1.1',
    );
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'shop' },
    };
    await target.objects.apply(cm);
    expect((await inner.objects.get('ConfigMap', 'shop', 'c'))?.metadata.annotations).toBeUndefined();
  });

  it('annotates nothing when the run does not record its rollouts', async () => {
    const inner = fakeTarget([structuredClone(cart)]);
    expect(changeCauseTarget(inner, false)).toBe(inner);
  });
});
