import { validateSetting } from '../../../apps/shop/src/runtime/settings.js';
import {
  contextFor,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { appCpuBurn } from './app-cpu-burn.js';
import { substratesProviding } from '../../substrates/registry.js';

const CATALOG = { namespace: 'shop', kind: 'Deployment', name: 'catalog' };

describe('app-cpu-burn', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(appCpuBurn.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(appCpuBurn.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('takes the share of one core, which has no default', () => {
    expect(appCpuBurn.params.parse({ fraction: 0.9 })).toEqual({ fraction: 0.9 });
  });

  it.each([
    [{}, 'fraction: Invalid input: expected number, received undefined'],
    [{ fraction: 0 }, 'fraction: Too small: expected number to be >0'],
    [{ fraction: 2 }, 'fraction: Too big: expected number to be <=1'],
    [{ fraction: '90%' }, 'fraction: Invalid input: expected number, received string'],
    [{ fraction: 0.9, cores: 1 }, '(params): Unrecognized key: "cores"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(appCpuBurn, params)).toEqual([problem]);
  });

  it('names the target as the root cause and expects the CPU-near-limit alert', () => {
    expect(appCpuBurn.groundTruth(CATALOG, { fraction: 0.9 })).toEqual(['shop/Deployment/catalog']);
    expect(appCpuBurn.expectedAlerts(CATALOG, { fraction: 0.9 })).toEqual(['ShopContainerCPUNearLimit']);
  });

  it('sets <service>.cpu to a value the shop accepts, and undo clears exactly that key', async () => {
    const target = shopTarget(shop);
    const undo = await appCpuBurn.inject(
      contextFor(appCpuBurn, target, 'shop/Deployment/catalog', { fraction: 0.9 }),
    );
    expect(target.flags.calls).toEqual(['set catalog.cpu {"fraction":0.9}']);
    expect(validateSetting('cpu', target.flags.values.get('catalog.cpu'))).toEqual({
      ok: true,
      value: { fraction: 0.9 },
    });
    expect(target.objects.calls).toEqual([]);

    await undo.undo();
    expect(target.flags.calls).toEqual(['set catalog.cpu {"fraction":0.9}', 'remove catalog.cpu']);
    expect([...target.flags.values]).toEqual([]);
  });

  itRefusesMissingTarget(appCpuBurn, () => shop, 'shop/Deployment/catalogue', {
    untouched: 'flags',
    params: { fraction: 1 },
  });
});
