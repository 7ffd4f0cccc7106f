import { runOverApiServer } from '../../../tests/fixtures/faults/api-server-kit.js';
import { chaosApply, chaosDelete, shopSelector } from '../../../tests/fixtures/faults/chaos-kit.js';
import {
  contextFor,
  loadShopObjects,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { substratesProviding } from '../../substrates/registry.js';
import { cpuStress } from './cpu-stress.js';

const CART = 'shop/Deployment/cart';

describe('cpu-stress', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('runs on the local substrate (a neighbour process) and on Chaos Mesh; one full worker by default', () => {
    expect(substratesProviding(cpuStress.needs)).toEqual(['local', 'kind', 'kubeconfig']);
    expect(cpuStress.params.parse({})).toEqual({ workers: 1, load: 100 });
    expect(cpuStress.params.safeParse({ workers: 0 }).success).toBe(false);
    expect(cpuStress.params.safeParse({ load: 101 }).success).toBe(false);
  });

  it('names the stressed workload as the root cause', () => {
    const cart = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    expect(cpuStress.groundTruth(cart, { workers: 1, load: 100 })).toEqual([CART]);
    expect(cpuStress.expectedAlerts(cart, { workers: 1, load: 100 })).toEqual(['ShopContainerCPUNearLimit']);
  });

  it('starts one stress experiment on the target and stops it on undo', async () => {
    const target = shopTarget(shop);
    const undo = await cpuStress.inject(contextFor(cpuStress, target, CART, { workers: 2, load: 40 }));
    expect(target.chaos.running).toEqual([
      { kind: 'stress', workload: { namespace: 'shop', name: 'cart' }, cpu: { workers: 2, load: 40 } },
    ]);
    await undo.undo();
    expect(target.chaos.running).toEqual([]);
  });

  it('on Kubernetes creates exactly this StressChaos and deletes it on undo', async () => {
    const run = await runOverApiServer(cpuStress, shop, CART, { workers: 2, load: 40 });
    const name = 'stress-cart-x1y2z3';
    expect(run.inject).toEqual([
      chaosApply('StressChaos', name, {
        mode: 'all',
        selector: shopSelector('cart'),
        stressors: { cpu: { workers: 2, load: 40 } },
      }),
    ]);
    expect(run.undo).toEqual([chaosDelete('StressChaos', name)]);
  });
});
