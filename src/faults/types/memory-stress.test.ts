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
import { memoryStress } from './memory-stress.js';

const CART = 'shop/Deployment/cart';
const MIB = 1024 * 1024;

describe('memory-stress', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('runs on the local substrate (a neighbour process) and on Chaos Mesh', () => {
    expect(substratesProviding(memoryStress.needs)).toEqual(['local', 'kind', 'kubeconfig']);
    expect(memoryStress.params.safeParse({}).success).toBe(false);
  });

  it('names the stressed workload as the root cause', () => {
    const cart = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
    expect(memoryStress.groundTruth(cart, { sizeMiB: 100 })).toEqual([CART]);
    expect(memoryStress.expectedAlerts(cart, { sizeMiB: 100 })).toEqual(['ShopContainerMemoryNearLimit']);
  });

  it('starts one stress experiment holding the size and stops it on undo', async () => {
    const target = shopTarget(shop);
    const undo = await memoryStress.inject(contextFor(memoryStress, target, CART, { sizeMiB: 100 }));
    expect(target.chaos.running).toEqual([
      {
        kind: 'stress',
        workload: { namespace: 'shop', name: 'cart' },
        memory: { workers: 1, sizeBytes: 100 * MIB },
      },
    ]);
    await undo.undo();
    expect(target.chaos.running).toEqual([]);
  });

  it("refuses a size that reaches the container's memory limit (that would be an OOM kill)", async () => {
    const target = shopTarget(shop);
    const err = await injectError(memoryStress, contextFor(memoryStress, target, CART, { sizeMiB: 192 }));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      "params.sizeMiB 192 reaches the container's memory limit (192 MiB); stay below it",
    );
    expect(target.chaos.calls).toEqual([]);
  });

  it('on Kubernetes creates exactly this StressChaos and deletes it on undo', async () => {
    const run = await runOverApiServer(memoryStress, shop, CART, { sizeMiB: 100 });
    const name = 'stress-cart-x1y2z3';
    expect(run.inject).toEqual([
      chaosApply('StressChaos', name, {
        mode: 'all',
        selector: shopSelector('cart'),
        stressors: { memory: { workers: 1, size: `${100 * MIB}B`, oomScoreAdj: 0 } },
      }),
    ]);
    expect(run.undo).toEqual([chaosDelete('StressChaos', name)]);
  });
});
