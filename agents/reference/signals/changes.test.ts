import { EntityIndex } from '../entity-index.js';
import { analyzeSnapshot } from '../run-agent.js';
import { SyntheticShop } from '../testing/synthetic-shop.js';
import { changeSignal } from './changes.js';

function suspects(shop: SyntheticShop): Array<{ entity: string; weight: number; detail: string }> {
  const snap = shop.build();
  return changeSignal(snap, new EntityIndex(snap)).suspects.map(({ entity, weight, detail }) => ({
    entity,
    weight,
    detail,
  }));
}

describe('changeSignal', () => {
  it('diffs a rollout against the revision before it', () => {
    const shop = new SyntheticShop();
    shop.rollout('payment', 100, (t) => {
      const l = t.spec?.containers?.[0].resources?.limits;
      if (l) l.memory = '32Mi';
    });
    const s = suspects(shop).find((x) => x.entity === 'shop/Deployment/payment');
    expect(s?.weight).toBeGreaterThanOrEqual(0.7);
    expect(s?.detail).toMatch(/memory limit "?192Mi"? → "?32Mi"?/);
  });

  it('sees a scale to zero that is no rollout', () => {
    const shop = new SyntheticShop();
    shop.scale('shipping', 100, 0);
    expect(suspects(shop)).toContainEqual(
      expect.objectContaining({ entity: 'shop/Deployment/shipping', weight: 0.85 }),
    );
  });

  it('reads updates from object-changes.ndjson: a Secret whose data changed, a Service whose selector changed, a cordon', () => {
    const shop = new SyntheticShop();
    const secret = shop.get('shop/Secret/redis-auth');
    const svc = structuredClone(shop.get('shop/Service/shipping'));
    const svc2 = structuredClone(svc);
    (svc2.spec as { selector: Record<string, string> }).selector = {
      'app.kubernetes.io/name': 'shipping-v2',
    };
    const node = structuredClone(shop.get('Node/worker-a'));
    const node2 = structuredClone(node);
    node2.spec = { unschedulable: true };
    const labelled = structuredClone(shop.get('shop/ConfigMap/cart-config'));
    const labelled2 = structuredClone(labelled);
    labelled2.metadata.labels = { ...labelled2.metadata.labels, team: 'shop' };
    shop.objectChanges = [
      { ts: shop.iso(-100), action: 'ADDED', entity: secret.entity, object: secret },
      { ts: shop.iso(100), action: 'MODIFIED', entity: secret.entity, object: structuredClone(secret) },
      { ts: shop.iso(-100), action: 'ADDED', entity: svc.entity, object: svc },
      { ts: shop.iso(110), action: 'MODIFIED', entity: svc.entity, object: svc2 },
      { ts: shop.iso(-100), action: 'ADDED', entity: node.entity, object: node },
      { ts: shop.iso(120), action: 'MODIFIED', entity: node.entity, object: node2 },
      { ts: shop.iso(-100), action: 'ADDED', entity: labelled.entity, object: labelled },
      { ts: shop.iso(90), action: 'MODIFIED', entity: labelled.entity, object: labelled2 },
    ];
    const got = suspects(shop);
    expect(got).toContainEqual(expect.objectContaining({ entity: 'shop/Secret/redis-auth', weight: 0.5 }));
    expect(got).toContainEqual(expect.objectContaining({ entity: 'shop/Service/shipping', weight: 0.7 }));
    expect(got).toContainEqual(expect.objectContaining({ entity: 'Node/worker-a', weight: 0.7 }));
    expect(got).toContainEqual(
      expect.objectContaining({ entity: 'shop/ConfigMap/cart-config', weight: 0.1 }),
    );
  });

  it('ranks a Secret changed during the window first when its readers then fail to authenticate', () => {
    const shop = new SyntheticShop();
    const secret = shop.get('shop/Secret/redis-auth');
    shop.objectChanges = [
      { ts: shop.iso(118), action: 'MODIFIED', entity: secret.entity, object: structuredClone(secret) },
    ];
    for (const p of shop.podsOf('cart', 120)) shop.deletePod(p, 120);
    shop.breakCalls('cart', 130, 'ECONNREFUSED');
    for (const p of shop.podsOf('cart', 125)) {
      shop.podState(p.name, 123, { ready: false });
      for (let t = 123; t < 230; t += 10)
        shop.log(t, p.name, 'cart', {
          level: 'warn',
          dependency: 'redis',
          err_code: 'WRONGPASS',
          msg: 'redis connection error: WRONGPASS',
        });
    }
    expect(analyzeSnapshot(shop.build()).answer.entities[0]).toBe('shop/Secret/redis-auth');
  });

  it('flags an autoscaler created with a maximum below what its target ran', () => {
    const shop = new SyntheticShop();
    shop.add({
      entity: 'shop/HorizontalPodAutoscaler/frontend',
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'frontend', namespace: 'shop', creationTimestamp: shop.iso(100) },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'frontend' }, maxReplicas: 1 },
    });
    shop.scale('frontend', 102, 1);
    expect(suspects(shop)).toContainEqual(
      expect.objectContaining({ entity: 'shop/HorizontalPodAutoscaler/frontend', weight: 0.85 }),
    );
  });
});
