import { runOverApiServer } from '../../../tests/fixtures/faults/api-server-kit.js';
import { chaosApply, chaosDelete, shopSelector } from '../../../tests/fixtures/faults/chaos-kit.js';
import {
  contextFor,
  loadShopObjects,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { substratesProviding } from '../../substrates/registry.js';
import { networkPartition } from './network-partition.js';

const CART = 'shop/Deployment/cart';

describe('network-partition', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('runs on the local proxies and on Chaos Mesh, both directions by default', () => {
    expect(substratesProviding(networkPartition.needs)).toEqual(['local', 'kind', 'kubeconfig']);
    expect(networkPartition.params.parse({ from: 'frontend' })).toEqual({
      from: 'frontend',
      direction: 'both',
    });
  });

  it('names both ends as root causes, with no alias between them', () => {
    const cart = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    const p = networkPartition.params.parse({ from: 'frontend' });
    expect(networkPartition.groundTruth(cart, p)).toEqual([CART, 'shop/Deployment/frontend']);
    expect(networkPartition.aliases?.(cart, p)).toEqual({});
    expect(networkPartition.expectedAlerts(cart, p)).toEqual(['ShopDependencyErrors']);
  });

  it('starts one partition experiment and stops it on undo', async () => {
    const target = shopTarget(shop);
    const undo = await networkPartition.inject(
      contextFor(networkPartition, target, CART, { from: 'frontend', direction: 'to' }),
    );
    expect(target.chaos.running).toEqual([
      {
        kind: 'network',
        action: 'partition',
        from: { namespace: 'shop', name: 'frontend' },
        to: { namespace: 'shop', name: 'cart' },
        direction: 'to',
      },
    ]);
    await undo.undo();
    expect(target.chaos.running).toEqual([]);
  });

  it('on Kubernetes creates exactly this NetworkChaos and deletes it on undo', async () => {
    const run = await runOverApiServer(networkPartition, shop, CART, { from: 'frontend' });
    const name = 'network-partition-frontend-cart-x1y2z3';
    expect(run.inject).toEqual([
      chaosApply('NetworkChaos', name, {
        action: 'partition',
        mode: 'all',
        selector: shopSelector('frontend'),
        direction: 'both',
        target: { mode: 'all', selector: shopSelector('cart') },
      }),
    ]);
    expect(run.undo).toEqual([chaosDelete('NetworkChaos', name)]);
  });
});
