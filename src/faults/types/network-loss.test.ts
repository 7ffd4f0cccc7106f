import { runOverApiServer } from '../../../tests/fixtures/faults/api-server-kit.js';
import { chaosApply, chaosDelete, shopSelector } from '../../../tests/fixtures/faults/chaos-kit.js';
import {
  contextFor,
  loadShopObjects,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { substratesProviding } from '../../substrates/registry.js';
import { networkLoss } from './network-loss.js';

const CART = 'shop/Deployment/cart';

describe('network-loss', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('runs on the local proxies and on Chaos Mesh', () => {
    expect(substratesProviding(networkLoss.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('takes a percent in (0, 100] and defaults to requests without correlation', () => {
    expect(networkLoss.params.parse({ from: 'frontend', percent: 30 })).toEqual({
      from: 'frontend',
      percent: 30,
      correlation: 0,
      direction: 'to',
    });
    expect(networkLoss.params.safeParse({ from: 'frontend', percent: 0 }).success).toBe(false);
    expect(networkLoss.params.safeParse({ from: 'frontend', percent: 101 }).success).toBe(false);
  });

  it('names the called workload as the root cause, the caller as its alias; errors by target', () => {
    const p = networkLoss.params.parse({ from: 'frontend', percent: 30 });
    const cart = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    expect(networkLoss.groundTruth(cart, p)).toEqual([CART]);
    expect(networkLoss.aliases?.(cart, p)).toEqual({ [CART]: ['shop/Deployment/frontend'] });
    expect(networkLoss.expectedAlerts(cart, p)).toEqual(['ShopDependencyErrors']);
    expect(networkLoss.expectedAlerts({ ...cart, name: 'redis' }, p)).toEqual(['ShopRedisCommandErrors']);
  });

  it('starts one network experiment and stops it on undo', async () => {
    const target = shopTarget(shop);
    const undo = await networkLoss.inject(
      contextFor(networkLoss, target, CART, { from: 'frontend', percent: 30, correlation: 10 }),
    );
    expect(target.chaos.running).toEqual([
      {
        kind: 'network',
        action: 'loss',
        from: { namespace: 'shop', name: 'frontend' },
        to: { namespace: 'shop', name: 'cart' },
        direction: 'to',
        loss: { percent: 30, correlation: 10 },
      },
    ]);
    await undo.undo();
    expect(target.chaos.running).toEqual([]);
  });

  it('on Kubernetes creates exactly this NetworkChaos and deletes it on undo', async () => {
    const run = await runOverApiServer(networkLoss, shop, CART, {
      from: 'frontend',
      percent: 30,
      correlation: 10,
    });
    const name = 'network-loss-frontend-cart-x1y2z3';
    expect(run.inject).toEqual([
      chaosApply('NetworkChaos', name, {
        action: 'loss',
        mode: 'all',
        selector: shopSelector('frontend'),
        direction: 'to',
        target: { mode: 'all', selector: shopSelector('cart') },
        loss: { loss: '30', correlation: '10' },
      }),
    ]);
    expect(run.undo).toEqual([chaosDelete('NetworkChaos', name)]);
  });
});
