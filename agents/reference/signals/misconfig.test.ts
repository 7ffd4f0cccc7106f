import { EntityIndex } from '../entity-index.js';
import { SyntheticShop } from '../testing/synthetic-shop.js';
import { misconfigSignal } from './misconfig.js';

function flagged(shop: SyntheticShop): string[] {
  const snap = shop.build();
  return misconfigSignal(snap, new EntityIndex(snap)).suspects.map((s) => `${s.entity}: ${s.detail}`);
}

describe('misconfigSignal', () => {
  it('finds nothing wrong with the healthy shop', () => {
    expect(flagged(new SyntheticShop({ durationS: 20 }))).toEqual([]);
  });

  it('flags a Service whose selector matches nothing, naming the workload it was meant for', () => {
    const shop = new SyntheticShop({ durationS: 20 });
    (shop.get('shop/Service/shipping').spec as { selector: Record<string, string> }).selector = {
      'app.kubernetes.io/name': 'shipping-v2',
      'app.kubernetes.io/part-of': 'shop',
    };
    expect(flagged(shop)).toEqual([
      expect.stringMatching(
        /^shop\/Service\/shipping: selector .* matches no pod template and no pod; Deployment\/shipping/,
      ),
    ]);
  });

  it('flags a targetPort no container declares, by number or by name', () => {
    const shop = new SyntheticShop({ durationS: 20 });
    (
      shop.get('shop/Service/payment').spec as { ports: Array<{ targetPort: number | string }> }
    ).ports[0].targetPort = 8081;
    (
      shop.get('shop/Service/cart').spec as { ports: Array<{ targetPort: number | string }> }
    ).ports[0].targetPort = 'metrics';
    expect(flagged(shop).sort()).toEqual([
      expect.stringMatching(/^shop\/Service\/cart: port 8080 targets metrics/),
      expect.stringMatching(/^shop\/Service\/payment: port 8080 targets 8081/),
    ]);
  });

  it('flags a NetworkPolicy that admits no pod, and not one that admits the callers', () => {
    const shop = new SyntheticShop({ durationS: 20 });
    const policy = (name: string, from: Record<string, string>) =>
      shop.add({
        entity: `shop/NetworkPolicy/${name}`,
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name, namespace: 'shop' },
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'currency' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: from } }] }],
        },
      });
    policy('deny', { app: 'shop' });
    policy('allow', { 'app.kubernetes.io/part-of': 'shop' });
    expect(flagged(shop)).toEqual([
      expect.stringMatching(
        /^shop\/NetworkPolicy\/deny: allows ingress to Deployment\/currency only from pods no workload runs/,
      ),
    ]);
  });

  it('flags config that does not parse, node selectors no node satisfies, missing claims and cordoned nodes', () => {
    const shop = new SyntheticShop({ durationS: 20 });
    shop.get('shop/ConfigMap/payment-config').data = { 'config.json': '{"logLevel": "in' };
    const tpl = shop.template('shipping');
    if (tpl.spec) tpl.spec.nodeSelector = { 'node.kubernetes.io/instance-type': 'm5.2xlarge' };
    shop
      .template('catalog')
      .spec?.volumes?.push({ name: 'data', persistentVolumeClaim: { claimName: 'catalog-data' } });
    shop.add({
      entity: 'shop/PersistentVolumeClaim/other',
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'other', namespace: 'shop' },
    });
    (shop.get('Node/worker-b').spec as { unschedulable?: boolean }).unschedulable = true;
    const got = flagged(shop).join('\n');
    expect(got).toMatch(/shop\/ConfigMap\/payment-config: key config\.json does not parse/);
    expect(got).toMatch(/shop\/Deployment\/shipping: nodeSelector .* matches none of the 2 nodes/);
    expect(got).toMatch(/shop\/Deployment\/catalog: mounts claim catalog-data, which does not exist/);
    expect(got).toMatch(/Node\/worker-b: cordoned/);
  });
});
