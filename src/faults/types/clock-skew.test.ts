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
import { clockSkew } from './clock-skew.js';

const CART = 'shop/Deployment/cart';

describe('clock-skew', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('runs on Kubernetes only (Chaos Mesh TimeChaos); moves the wall clock by default', () => {
    expect(substratesProviding(clockSkew.needs)).toEqual(['kind', 'kubeconfig']);
    expect(clockSkew.params.parse({ offsetMs: -60_000 })).toEqual({
      offsetMs: -60_000,
      clockIds: ['CLOCK_REALTIME'],
    });
    expect(clockSkew.params.safeParse({ offsetMs: 0 }).success).toBe(false);
  });

  it('names the skewed workload and expects no alert (no rule watches clocks)', () => {
    const cart = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    const p = clockSkew.params.parse({ offsetMs: -60_000 });
    expect(clockSkew.groundTruth(cart, p)).toEqual([CART]);
    expect(clockSkew.expectedAlerts(cart, p)).toEqual([]);
  });

  it('starts one time experiment and stops it on undo', async () => {
    const target = shopTarget(shop);
    const undo = await clockSkew.inject(
      contextFor(clockSkew, target, CART, { offsetMs: 3_600_000, container: 'cart' }),
    );
    expect(target.chaos.running).toEqual([
      {
        kind: 'time',
        workload: { namespace: 'shop', name: 'cart' },
        container: 'cart',
        offsetMs: 3_600_000,
        clockIds: ['CLOCK_REALTIME'],
      },
    ]);
    await undo.undo();
    expect(target.chaos.running).toEqual([]);
  });

  it('refuses a container the target does not have', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      clockSkew,
      contextFor(clockSkew, target, CART, { offsetMs: 1000, container: 'sidecar' }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe('params.container: shop/Deployment/cart has no container sidecar; it has cart');
  });

  it('on Kubernetes creates exactly this TimeChaos and deletes it on undo', async () => {
    const run = await runOverApiServer(clockSkew, shop, CART, { offsetMs: -3_600_000 });
    const name = 'time-cart-x1y2z3';
    expect(run.inject).toEqual([
      chaosApply('TimeChaos', name, {
        mode: 'all',
        selector: shopSelector('cart'),
        timeOffset: '-3600000ms',
        clockIds: ['CLOCK_REALTIME'],
      }),
    ]);
    expect(run.undo).toEqual([chaosDelete('TimeChaos', name)]);
  });
});
