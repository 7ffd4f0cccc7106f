import { validateSetting } from '../../../apps/shop/src/runtime/settings.js';
import {
  contextFor,
  loadShopObjects,
  paramProblems,
  shopTarget,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { appDependencyUnreachable } from './app-dependency-unreachable.js';
import { substratesProviding } from '../../substrates/registry.js';

const CHECKOUT = { namespace: 'shop', kind: 'Deployment', name: 'checkout' };
const CART = { namespace: 'shop', kind: 'Deployment', name: 'cart' };

describe('app-dependency-unreachable', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(appDependencyUnreachable.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(appDependencyUnreachable.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('dials the discard port on loopback by default', () => {
    expect(appDependencyUnreachable.params.parse({ dependency: 'payment' })).toEqual({
      dependency: 'payment',
      address: '127.0.0.1:9',
    });
    expect(appDependencyUnreachable.params.parse({ dependency: 'redis', address: 'localhost:6390' })).toEqual(
      {
        dependency: 'redis',
        address: 'localhost:6390',
      },
    );
  });

  it.each([
    [{}, /^dependency: Invalid option: expected one of "catalog"\|"cart"\|/],
    [{ dependency: 'billing' }, /^dependency: Invalid option: expected one of /],
    // Only loopback may ever be dialled: a fault must not send shop traffic to a foreign host.
    [{ dependency: 'payment', address: '10.0.0.7:8080' }, /^address: must be a loopback host:port$/],
    [
      { dependency: 'payment', address: 'payment.evil.example:80' },
      /^address: must be a loopback host:port$/,
    ],
    [{ dependency: 'payment', address: '127.0.0.1' }, /^address: must be a loopback host:port$/],
  ])('refuses params %j naming the problem', (params, problem) => {
    const problems = paramProblems(appDependencyUnreachable, params);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('names the target (whose configuration is wrong) as the root cause', () => {
    const p = { dependency: 'payment' as const, address: '127.0.0.1:9' };
    expect(appDependencyUnreachable.groundTruth(CHECKOUT, p)).toEqual(['shop/Deployment/checkout']);
  });

  it('expects dependency errors for an HTTP dependency and Redis command errors for Redis', () => {
    expect(
      appDependencyUnreachable.expectedAlerts(CHECKOUT, { dependency: 'payment', address: '127.0.0.1:9' }),
    ).toEqual(['ShopDependencyErrors']);
    expect(
      appDependencyUnreachable.expectedAlerts(CART, { dependency: 'redis', address: '127.0.0.1:9' }),
    ).toEqual(['ShopRedisCommandErrors']);
  });

  it('sets <service>.upstream to a value the shop accepts, and undo clears exactly that key', async () => {
    const target = shopTarget(shop);
    const undo = await appDependencyUnreachable.inject(
      contextFor(appDependencyUnreachable, target, 'shop/Deployment/checkout', { dependency: 'payment' }),
    );
    expect(target.flags.calls).toEqual([
      'set checkout.upstream {"dependency":"payment","address":"127.0.0.1:9"}',
    ]);
    expect(validateSetting('upstream', target.flags.values.get('checkout.upstream'))).toEqual({
      ok: true,
      value: { dependency: 'payment', address: '127.0.0.1:9' },
    });
    expect(target.objects.calls).toEqual([]);

    await undo.undo();
    expect(target.flags.calls.at(-1)).toBe('remove checkout.upstream');
    expect([...target.flags.values]).toEqual([]);
  });

  it('points cart at a dead Redis address', async () => {
    const target = shopTarget(shop);
    await appDependencyUnreachable.inject(
      contextFor(appDependencyUnreachable, target, 'shop/Deployment/cart', {
        dependency: 'redis',
        address: 'localhost:6390',
      }),
    );
    expect(target.flags.calls).toEqual([
      'set cart.upstream {"dependency":"redis","address":"localhost:6390"}',
    ]);
    expect(validateSetting('upstream', target.flags.values.get('cart.upstream')).ok).toBe(true);
  });

  itRefusesMissingTarget(appDependencyUnreachable, () => shop, 'shop/Deployment/chekout', {
    untouched: 'flags',
    params: { dependency: 'payment' },
  });
});
