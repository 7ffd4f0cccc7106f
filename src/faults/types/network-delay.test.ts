import { InvalidInputError } from '../../errors/invalid-input-error.js';
import {
  contextFor,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { runOverApiServer } from '../../../tests/fixtures/faults/api-server-kit.js';
import { chaosApply, chaosDelete, shopSelector } from '../../../tests/fixtures/faults/chaos-kit.js';
import { substratesProviding } from '../../substrates/registry.js';
import { networkDelay } from './network-delay.js';

const CART = 'shop/Deployment/cart';

describe('network-delay', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('runs wherever network chaos is provided: the local proxies and Chaos Mesh', () => {
    expect(networkDelay.needs).toEqual(['objects', 'network-chaos']);
    expect(substratesProviding(networkDelay.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('delays requests by default, without jitter or correlation', () => {
    expect(networkDelay.params.parse({ from: 'frontend', latencyMs: 300 })).toEqual({
      from: 'frontend',
      latencyMs: 300,
      jitterMs: 0,
      correlation: 0,
      direction: 'to',
    });
  });

  it('refuses params a scenario author could get wrong, naming each', () => {
    expect(paramProblems(networkDelay, { from: 'Frontend', latencyMs: 0, direction: 'up' })).toEqual([
      'from: must be a Deployment name (a lower-case DNS label), e.g. checkout',
      'direction: Invalid option: expected one of "to"|"from"|"both"',
      'latencyMs: Too small: expected number to be >=1',
    ]);
  });

  it('names the called workload as the root cause, the caller as its alias', () => {
    const target = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    const p = networkDelay.params.parse({ from: 'frontend', latencyMs: 300 });
    expect(networkDelay.groundTruth(target, p)).toEqual([CART]);
    expect(networkDelay.aliases?.(target, p)).toEqual({ [CART]: ['shop/Deployment/frontend'] });
    expect(networkDelay.expectedAlerts(target, p)).toEqual(['ShopHighLatencyP95']);
  });

  it('starts one network experiment from the caller to the target and stops it on undo', async () => {
    const target = shopTarget(shop);
    const params = { from: 'frontend', latencyMs: 300, jitterMs: 50, correlation: 25, port: 8080 };
    const undo = await networkDelay.inject(contextFor(networkDelay, target, CART, params));
    expect(target.chaos.running).toEqual([
      {
        kind: 'network',
        action: 'delay',
        from: { namespace: 'shop', name: 'frontend' },
        to: { namespace: 'shop', name: 'cart' },
        direction: 'to',
        port: 8080,
        delay: { latencyMs: 300, jitterMs: 50, correlation: 25 },
      },
    ]);
    await undo.undo();
    expect(target.chaos.running).toEqual([]);
    expect(target.chaos.calls).toEqual(['start network', 'stop network']);
  });

  it('refuses a caller that does not exist, or the target itself, before anything starts', async () => {
    const target = shopTarget(shop);
    const missing = await injectError(
      networkDelay,
      contextFor(networkDelay, target, CART, { from: 'basket', latencyMs: 300 }),
    );
    expect(missing).toBeInstanceOf(InvalidInputError);
    expect(missing.message).toBe('params.from: Deployment shop/Deployment/basket does not exist');
    const self = await injectError(
      networkDelay,
      contextFor(networkDelay, target, CART, { from: 'cart', latencyMs: 300 }),
    );
    expect(self.message).toBe(
      'params.from names the target itself (cart); name the Deployment that calls it',
    );
    expect(target.chaos.calls).toEqual([]);
  });

  it('on Kubernetes creates exactly this NetworkChaos and deletes it on undo', async () => {
    const run = await runOverApiServer(networkDelay, shop, CART, {
      from: 'frontend',
      latencyMs: 300,
      jitterMs: 50,
      correlation: 25,
    });
    const name = 'network-delay-frontend-cart-x1y2z3';
    expect(run.inject).toEqual([
      chaosApply('NetworkChaos', name, {
        action: 'delay',
        mode: 'all',
        selector: shopSelector('frontend'),
        direction: 'to',
        target: { mode: 'all', selector: shopSelector('cart') },
        delay: { latency: '300ms', jitter: '50ms', correlation: '25' },
      }),
    ]);
    expect(run.undo).toEqual([chaosDelete('NetworkChaos', name)]);
    expect([...run.after.keys()].filter((k) => k.startsWith('NetworkChaos'))).toEqual([]);
  });
});
