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
import { ioLatency } from './io-latency.js';

const CART = 'shop/Deployment/cart';

describe('io-latency', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('runs on Kubernetes only (Chaos Mesh IOChaos); every operation by default', () => {
    expect(substratesProviding(ioLatency.needs)).toEqual(['kind', 'kubeconfig']);
    expect(ioLatency.params.parse({ volumePath: '/tmp', delayMs: 100 })).toEqual({
      volumePath: '/tmp',
      delayMs: 100,
      percent: 100,
    });
    expect(ioLatency.params.safeParse({ volumePath: 'tmp', delayMs: 100 }).success).toBe(false);
    expect(
      ioLatency.params.safeParse({ volumePath: '/tmp', delayMs: 100, methods: ['scribble'] }).success,
    ).toBe(false);
  });

  it('names the workload whose volume is slow', () => {
    const cart = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    const p = ioLatency.params.parse({ volumePath: '/tmp', delayMs: 100 });
    expect(ioLatency.groundTruth(cart, p)).toEqual([CART]);
    expect(ioLatency.expectedAlerts(cart, p)).toEqual(['ShopHighLatencyP95']);
  });

  it('starts one I/O experiment on the mounted volume of the first container', async () => {
    const target = shopTarget(shop);
    const undo = await ioLatency.inject(
      contextFor(ioLatency, target, CART, { volumePath: '/tmp', delayMs: 100, methods: ['read', 'write'] }),
    );
    expect(target.chaos.running).toEqual([
      {
        kind: 'io',
        workload: { namespace: 'shop', name: 'cart' },
        container: 'cart',
        volumePath: '/tmp',
        delayMs: 100,
        percent: 100,
        methods: ['read', 'write'],
      },
    ]);
    await undo.undo();
    expect(target.chaos.running).toEqual([]);
  });

  it('refuses a path the container mounts no volume at, naming its mounts', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      ioLatency,
      contextFor(ioLatency, target, CART, { volumePath: '/data', delayMs: 100 }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'params.volumePath: container cart mounts no volume at /data; its mounts: /etc/shop, /tmp',
    );
    expect(target.chaos.calls).toEqual([]);
  });

  it('on Kubernetes creates exactly this IOChaos and deletes it on undo', async () => {
    const run = await runOverApiServer(ioLatency, shop, CART, {
      volumePath: '/tmp',
      delayMs: 100,
      percent: 50,
    });
    const name = 'io-cart-x1y2z3';
    expect(run.inject).toEqual([
      chaosApply('IOChaos', name, {
        action: 'latency',
        mode: 'all',
        selector: shopSelector('cart'),
        containerNames: ['cart'],
        volumePath: '/tmp',
        delay: '100ms',
        percent: 50,
      }),
    ]);
    expect(run.undo).toEqual([chaosDelete('IOChaos', name)]);
  });
});
