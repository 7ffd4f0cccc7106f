import { validateSetting } from '../../../apps/shop/src/runtime/settings.js';
import { InvalidInputError } from '../../errors/invalid-input-error.js';
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
import { appLatency } from './app-latency.js';
import { substratesProviding } from '../../substrates/registry.js';

const PAYMENT = { namespace: 'shop', kind: 'Deployment', name: 'payment' };

describe('app-latency', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(appLatency.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(appLatency.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('applies the defaults: every request delayed, on every route', () => {
    expect(appLatency.params.parse({ delayMs: 800 })).toEqual({ delayMs: 800, probability: 1 });
    expect(appLatency.params.parse({ delayMs: 1, probability: 0.25, route: '/charge' })).toEqual({
      delayMs: 1,
      probability: 0.25,
      route: '/charge',
    });
  });

  it.each([
    [{}, 'delayMs: Invalid input: expected number, received undefined'],
    [{ delayMs: 0 }, 'delayMs: Too small: expected number to be >=1'],
    [{ delayMs: 60_001 }, 'delayMs: Too big: expected number to be <=60000'],
    [{ delayMs: 12.5 }, 'delayMs: Invalid input: expected int, received number'],
    [{ delayMs: 800, probability: 1.5 }, 'probability: Too big: expected number to be <=1'],
    [{ delayMs: 800, delay: 5 }, '(params): Unrecognized key: "delay"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(appLatency, params)).toEqual([problem]);
  });

  it('names the target as the root cause and expects the p95 latency alert', () => {
    expect(appLatency.groundTruth(PAYMENT, { delayMs: 800, probability: 1 })).toEqual([
      'shop/Deployment/payment',
    ]);
    expect(appLatency.expectedAlerts(PAYMENT, { delayMs: 800, probability: 1 })).toEqual([
      'ShopHighLatencyP95',
    ]);
  });

  it('sets <service>.latency to a value the shop accepts, and undo clears exactly that key', async () => {
    const target = shopTarget(shop);
    const undo = await appLatency.inject(
      contextFor(appLatency, target, 'shop/Deployment/payment', { delayMs: 800 }),
    );

    expect(target.flags.calls).toEqual(['set payment.latency {"ms":800,"probability":1}']);
    expect(validateSetting('latency', target.flags.values.get('payment.latency'))).toEqual({
      ok: true,
      value: { ms: 800, probability: 1 },
    });
    expect(target.objects.calls).toEqual([]);
    expect(target.redis.calls).toEqual([]);
    expect(undo.description).toBe('clear setting payment.latency');

    await undo.undo();
    expect(target.flags.calls).toEqual([
      'set payment.latency {"ms":800,"probability":1}',
      'remove payment.latency',
    ]);
    expect([...target.flags.values]).toEqual([]);
  });

  it('scopes the delay to a route and a share of requests when asked', async () => {
    const target = shopTarget(shop);
    await appLatency.inject(
      contextFor(appLatency, target, 'shop/Deployment/checkout', {
        delayMs: 2500,
        probability: 0.5,
        route: '/orders',
      }),
    );
    expect(target.flags.calls).toEqual([
      'set checkout.latency {"ms":2500,"probability":0.5,"route":"/orders"}',
    ]);
    expect(validateSetting('latency', target.flags.values.get('checkout.latency')).ok).toBe(true);
  });

  itRefusesMissingTarget(appLatency, () => shop, 'shop/Deployment/paymnet', {
    untouched: 'flags',
    params: { delayMs: 5 },
  });

  it('refuses a Deployment that runs no shop service (its settings would never be read)', async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      appLatency,
      contextFor(appLatency, target, 'shop/Deployment/redis', { delayMs: 5 }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toMatch(
      /^shop\/Deployment\/redis runs no shop service \(no container sets SHOP_SERVICE\)/,
    );
    expect(target.flags.calls).toEqual([]);
  });

  it('clears the setting again when setting it failed (the write may have landed)', async () => {
    class LostReply extends RecordingFlags {
      override async set(key: string, value: unknown): Promise<void> {
        await super.set(key, value);
        throw new Error('settings service: socket hang up');
      }
    }
    const flags = new LostReply();
    const target = { ...shopTarget(shop), flags };
    const err = await injectError(
      appLatency,
      contextFor(appLatency, target, 'shop/Deployment/payment', { delayMs: 5 }),
    );
    expect(err.message).toBe('settings service: socket hang up');
    expect(flags.calls).toEqual(['set payment.latency {"ms":5,"probability":1}', 'remove payment.latency']);
    expect([...flags.values]).toEqual([]);
  });
});
