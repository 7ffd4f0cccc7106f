import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { runOverApiServer } from '../../../tests/fixtures/faults/api-server-kit.js';
import { chaosApply, chaosDelete, shopSelector } from '../../../tests/fixtures/faults/chaos-kit.js';
import {
  contextFor,
  injectError,
  loadShopObjects,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { substratesProviding } from '../../substrates/registry.js';
import { dnsFailure, namesFor } from './dns-failure.js';

const CART = 'shop/Deployment/cart';

describe('dns-failure', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('runs on the local proxies and on Chaos Mesh; fails lookups by default', () => {
    expect(substratesProviding(dnsFailure.needs)).toEqual(['local', 'kind', 'kubeconfig']);
    expect(dnsFailure.params.parse({ name: 'catalog' })).toEqual({ name: 'catalog', mode: 'error' });
  });

  it('covers every in-cluster form of the name', () => {
    expect(namesFor('shop', 'catalog')).toEqual([
      'catalog',
      'catalog.shop',
      'catalog.shop.svc',
      'catalog.shop.svc.cluster.local',
    ]);
  });

  it('names the workload whose lookups fail, the Service name as its alias; alerts by name', () => {
    const cart = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    const p = dnsFailure.params.parse({ name: 'catalog' });
    expect(dnsFailure.groundTruth(cart, p)).toEqual([CART]);
    expect(dnsFailure.aliases?.(cart, p)).toEqual({ [CART]: ['shop/Service/catalog'] });
    expect(dnsFailure.expectedAlerts(cart, p)).toEqual(['ShopDependencyErrors']);
    expect(dnsFailure.expectedAlerts(cart, { ...p, name: 'redis' })).toEqual(['ShopRedisCommandErrors']);
  });

  it('starts one DNS experiment for the target and stops it on undo', async () => {
    const target = shopTarget(shop);
    const undo = await dnsFailure.inject(
      contextFor(dnsFailure, target, CART, { name: 'catalog', mode: 'random' }),
    );
    expect(target.chaos.running).toEqual([
      {
        kind: 'dns',
        action: 'random',
        from: { namespace: 'shop', name: 'cart' },
        names: namesFor('shop', 'catalog'),
      },
    ]);
    await undo.undo();
    expect(target.chaos.running).toEqual([]);
  });

  it('refuses a Service that does not exist before anything starts', async () => {
    const target = shopTarget(shop);
    const err = await injectError(dnsFailure, contextFor(dnsFailure, target, CART, { name: 'basket' }));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe('params.name: Service shop/Service/basket does not exist');
    expect(target.chaos.calls).toEqual([]);
  });

  it('on Kubernetes creates exactly this DNSChaos and deletes it on undo', async () => {
    const run = await runOverApiServer(dnsFailure, shop, CART, { name: 'catalog' });
    const name = 'dns-cart-x1y2z3';
    expect(run.inject).toEqual([
      chaosApply('DNSChaos', name, {
        action: 'error',
        mode: 'all',
        selector: shopSelector('cart'),
        patterns: namesFor('shop', 'catalog'),
      }),
    ]);
    expect(run.undo).toEqual([chaosDelete('DNSChaos', name)]);
  });
});
