import { validateSetting } from '../../../apps/shop/src/runtime/settings.js';
import {
  contextFor,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { substratesProviding } from '../../substrates/registry.js';
import { dbPoolExhaustion } from './db-pool-exhaustion.js';

const INVENTORY = { namespace: 'shop', kind: 'Deployment', name: 'inventory' };
const ACCOUNTING = { namespace: 'shop', kind: 'Deployment', name: 'accounting' };

describe('db-pool-exhaustion', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(dbPoolExhaustion.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(dbPoolExhaustion.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('leaks 5% of transactions unless told otherwise', () => {
    expect(dbPoolExhaustion.params.parse({})).toEqual({ leakFraction: 0.05 });
  });

  it.each([
    [{ leakFraction: 0 }, 'leakFraction: Too small: expected number to be >0'],
    [{ leakFraction: 1.5 }, 'leakFraction: Too big: expected number to be <=1'],
    [{ fraction: 0.1 }, '(params): Unrecognized key: "fraction"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(dbPoolExhaustion, params)).toEqual([problem]);
  });

  it('names the target as the root cause; a consumer falls behind where a synchronous service fails', () => {
    const p = { leakFraction: 0.05 };
    expect(dbPoolExhaustion.groundTruth(INVENTORY, p)).toEqual(['shop/Deployment/inventory']);
    expect(dbPoolExhaustion.expectedAlerts(INVENTORY, p)).toEqual([
      'ShopDatabasePoolSaturated',
      'ShopDatabaseErrors',
    ]);
    expect(dbPoolExhaustion.expectedAlerts(ACCOUNTING, p)).toEqual([
      'ShopDatabasePoolSaturated',
      'ShopQueueBacklogAging',
    ]);
  });

  it('sets <service>.audit to a value the shop accepts; undo clears it and replaces the pods', async () => {
    const target = shopTarget(shop);
    const undo = await dbPoolExhaustion.inject(
      contextFor(dbPoolExhaustion, target, 'shop/Deployment/inventory', { leakFraction: 0.1 }),
    );
    expect(target.flags.calls).toEqual(['set inventory.audit {"fraction":0.1}']);
    expect(validateSetting('audit', target.flags.values.get('inventory.audit'))).toEqual({
      ok: true,
      value: { fraction: 0.1 },
    });
    // leaked connections live in the processes: only new pods have their pools back (the pod deletion
    // itself is flagFault's, tested with app-memory-leak's fixture pods)
    expect(undo.description).toBe(
      'clear setting inventory.audit and replace the pods of shop/Deployment/inventory',
    );
    await undo.undo();
    expect([...target.flags.values]).toEqual([]);
  });

  it('refuses a service without a database pool, setting nothing', async () => {
    const target = shopTarget(shop);
    const err = await dbPoolExhaustion
      .inject(contextFor(dbPoolExhaustion, target, 'shop/Deployment/cart', {}))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toBe(
      'target: shop/Deployment/cart runs shop service cart, which does not read setting audit; db-pool-exhaustion applies to inventory, checkout, accounting, fulfillment',
    );
    expect(target.flags.calls).toEqual([]);
  });

  itRefusesMissingTarget(dbPoolExhaustion, () => shop, 'default/Deployment/inventory', {
    untouched: 'flags',
  });
});
