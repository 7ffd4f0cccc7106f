import { runOverApiServer } from '../../../tests/fixtures/faults/api-server-kit.js';
import { chaosApply, chaosDelete, shopSelector } from '../../../tests/fixtures/faults/chaos-kit.js';
import {
  contextFor,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { substratesProviding } from '../../substrates/registry.js';
import { networkBandwidth, rateBytesPerSecond } from './network-bandwidth.js';

const CART = 'shop/Deployment/cart';

describe('network-bandwidth', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('runs on the local proxies and on Chaos Mesh, throttling responses by default', () => {
    expect(substratesProviding(networkBandwidth.needs)).toEqual(['local', 'kind', 'kubeconfig']);
    expect(networkBandwidth.params.parse({ from: 'frontend', rate: '2kbps' })).toEqual({
      from: 'frontend',
      rate: '2kbps',
      direction: 'from',
      limit: 20_971_520,
      buffer: 10_000,
    });
  });

  it('reads rates in tc units: the bit family in bits, the bps family in bytes per second', () => {
    expect(rateBytesPerSecond('2kbps')).toBe(2000);
    expect(rateBytesPerSecond('16kbit')).toBe(2000);
    expect(rateBytesPerSecond('1mbit')).toBe(125_000);
    expect(rateBytesPerSecond('1.5bps')).toBe(1.5);
    expect(paramProblems(networkBandwidth, { from: 'frontend', rate: '2 KB/s' })).toEqual([
      'rate: must be a rate with a tc unit, e.g. 20kbps (bytes/s) or 160kbit (bits/s)',
    ]);
    expect(paramProblems(networkBandwidth, { from: 'frontend', rate: '4bit' })).toEqual([
      'rate: must be at least 1 byte per second',
    ]);
  });

  it('names the called workload as the root cause, the caller as its alias', () => {
    const cart = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    const p = networkBandwidth.params.parse({ from: 'frontend', rate: '2kbps' });
    expect(networkBandwidth.groundTruth(cart, p)).toEqual([CART]);
    expect(networkBandwidth.aliases?.(cart, p)).toEqual({ [CART]: ['shop/Deployment/frontend'] });
    expect(networkBandwidth.expectedAlerts(cart, p)).toEqual(['ShopHighLatencyP95']);
  });

  it('starts one bandwidth experiment with the rate in bytes per second, and stops it on undo', async () => {
    const target = shopTarget(shop);
    const undo = await networkBandwidth.inject(
      contextFor(networkBandwidth, target, CART, { from: 'frontend', rate: '16kbit', buffer: 1500 }),
    );
    expect(target.chaos.running).toEqual([
      {
        kind: 'network',
        action: 'bandwidth',
        from: { namespace: 'shop', name: 'frontend' },
        to: { namespace: 'shop', name: 'cart' },
        direction: 'from',
        bandwidth: { rate: '16kbit', bytesPerSecond: 2000, limitBytes: 20_971_520, bufferBytes: 1500 },
      },
    ]);
    await undo.undo();
    expect(target.chaos.running).toEqual([]);
  });

  it('on Kubernetes creates exactly this NetworkChaos and deletes it on undo', async () => {
    const run = await runOverApiServer(networkBandwidth, shop, CART, { from: 'frontend', rate: '2kbps' });
    const name = 'network-bandwidth-frontend-cart-x1y2z3';
    expect(run.inject).toEqual([
      chaosApply('NetworkChaos', name, {
        action: 'bandwidth',
        mode: 'all',
        selector: shopSelector('frontend'),
        direction: 'from',
        target: { mode: 'all', selector: shopSelector('cart') },
        bandwidth: { rate: '2kbps', limit: 20_971_520, buffer: 10_000 },
      }),
    ]);
    expect(run.undo).toEqual([chaosDelete('NetworkChaos', name)]);
  });
});
