import { validateSetting } from '../../../apps/shop/src/runtime/settings.js';
import {
  contextFor,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { appMemoryLeak } from './app-memory-leak.js';
import { substratesProviding } from '../../substrates/registry.js';

const CART = { namespace: 'shop', kind: 'Deployment', name: 'cart' };
const UNDO_POD_CALLS = ['delete shop/Pod/cart-5f6d7c8b9-h8j2k'];

describe('app-memory-leak', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(appMemoryLeak.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(appMemoryLeak.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('takes the leak rate, which has no default', () => {
    expect(appMemoryLeak.params.parse({ mbPerMinute: 60 })).toEqual({ mbPerMinute: 60 });
  });

  it.each([
    [{}, 'mbPerMinute: Invalid input: expected number, received undefined'],
    [{ mbPerMinute: 0 }, 'mbPerMinute: Too small: expected number to be >0'],
    [{ mbPerMinute: 4096 }, 'mbPerMinute: Too big: expected number to be <=2048'],
    [{ mbPerMinute: 60, mb: 1 }, '(params): Unrecognized key: "mb"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(appMemoryLeak, params)).toEqual([problem]);
  });

  it('names the target as the root cause and expects the memory-near-limit alert', () => {
    expect(appMemoryLeak.groundTruth(CART, { mbPerMinute: 60 })).toEqual(['shop/Deployment/cart']);
    expect(appMemoryLeak.expectedAlerts(CART, { mbPerMinute: 60 })).toEqual(['ShopContainerMemoryNearLimit']);
  });

  it('sets <service>.retention to a value the shop accepts; undo clears that key and replaces the pods', async () => {
    const target = shopTarget(shop);
    const undo = await appMemoryLeak.inject(
      contextFor(appMemoryLeak, target, 'shop/Deployment/cart', { mbPerMinute: 60 }),
    );
    expect(target.flags.calls).toEqual(['set cart.retention {"mbPerMinute":60}']);
    expect(validateSetting('retention', target.flags.values.get('cart.retention'))).toEqual({
      ok: true,
      value: { mbPerMinute: 60 },
    });
    expect(target.objects.calls).toEqual([]);
    expect(undo.description).toBe(
      'clear setting cart.retention and replace the pods of shop/Deployment/cart',
    );

    await undo.undo();
    expect(target.flags.calls).toEqual(['set cart.retention {"mbPerMinute":60}', 'remove cart.retention']);
    expect([...target.flags.values]).toEqual([]);
    // memory already retained stays resident after the setting is gone: the pods go too
    expect(target.objects.calls.filter((c) => /Pod/.test(c))).toEqual(UNDO_POD_CALLS);
  });

  itRefusesMissingTarget(appMemoryLeak, () => shop, 'default/Deployment/cart', {
    untouched: 'flags',
    params: { mbPerMinute: 60 },
  });
});
