import { validateSetting } from '../../../apps/shop/src/runtime/settings.js';
import { RecordingFlags } from '../testing/fake-target.js';
import {
  contextFor,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { appErrorRate } from './app-error-rate.js';
import { substratesProviding } from '../../substrates/registry.js';

const CHECKOUT = { namespace: 'shop', kind: 'Deployment', name: 'checkout' };

describe('app-error-rate', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(appErrorRate.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(appErrorRate.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('applies the defaults: status 500 on every route', () => {
    expect(appErrorRate.params.parse({ fraction: 0.3 })).toEqual({ fraction: 0.3, status: 500 });
    expect(appErrorRate.params.parse({ fraction: 1, status: 503, route: '/charge' })).toEqual({
      fraction: 1,
      status: 503,
      route: '/charge',
    });
  });

  it.each([
    [{}, 'fraction: Invalid input: expected number, received undefined'],
    [{ fraction: 0 }, 'fraction: Too small: expected number to be >0'],
    [{ fraction: 1.2 }, 'fraction: Too big: expected number to be <=1'],
    [{ fraction: 0.5, status: 404 }, 'status: Too small: expected number to be >=500'],
    [{ fraction: 0.5, status: 600 }, 'status: Too big: expected number to be <=599'],
    [{ fraction: 0.5, rate: 0.5 }, '(params): Unrecognized key: "rate"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(appErrorRate, params)).toEqual([problem]);
  });

  it('names the target as the root cause and expects the error-rate alert', () => {
    const p = { fraction: 0.3, status: 500 };
    expect(appErrorRate.groundTruth(CHECKOUT, p)).toEqual(['shop/Deployment/checkout']);
    expect(appErrorRate.expectedAlerts(CHECKOUT, p)).toEqual(['ShopHighErrorRate']);
  });

  it('sets <service>.errors to a value the shop accepts, and undo clears exactly that key', async () => {
    const target = shopTarget(shop);
    const undo = await appErrorRate.inject(
      contextFor(appErrorRate, target, 'shop/Deployment/checkout', { fraction: 0.3 }),
    );
    expect(target.flags.calls).toEqual(['set checkout.errors {"fraction":0.3,"status":500}']);
    expect(validateSetting('errors', target.flags.values.get('checkout.errors'))).toEqual({
      ok: true,
      value: { fraction: 0.3, status: 500 },
    });
    expect(target.objects.calls).toEqual([]);
    expect(undo.description).toBe('clear setting checkout.errors');

    await undo.undo();
    expect(target.flags.calls.at(-1)).toBe('remove checkout.errors');
    expect([...target.flags.values]).toEqual([]);
  });

  it('passes the status and route through', async () => {
    const target = shopTarget(shop);
    await appErrorRate.inject(
      contextFor(appErrorRate, target, 'shop/Deployment/payment', {
        fraction: 1,
        status: 503,
        route: '/charge',
      }),
    );
    expect(target.flags.calls).toEqual(['set payment.errors {"fraction":1,"status":503,"route":"/charge"}']);
    expect(validateSetting('errors', target.flags.values.get('payment.errors')).ok).toBe(true);
  });

  itRefusesMissingTarget(appErrorRate, () => shop, 'shop/Deployment/billing', {
    untouched: 'flags',
    params: { fraction: 0.3 },
  });

  it('clears the setting again when setting it failed', async () => {
    class Down extends RecordingFlags {
      override async set(): Promise<void> {
        throw new Error('settings service: connect ECONNREFUSED 127.0.0.1:8080');
      }
    }
    const flags = new Down();
    const target = { ...shopTarget(shop), flags };
    const err = await injectError(
      appErrorRate,
      contextFor(appErrorRate, target, 'shop/Deployment/checkout', { fraction: 0.3 }),
    );
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(flags.calls).toEqual(['remove checkout.errors']);
  });
});
