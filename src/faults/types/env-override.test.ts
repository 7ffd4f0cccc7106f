import { objectKey, type EnvVar, type KubeObject } from '../../kube/kube-object.js';
import {
  contextFor,
  firstContainer,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  itAppliesOverApiServer,
  itRefusesMissingContainer,
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { envOverride } from './env-override.js';
import { substratesProviding } from '../../substrates/registry.js';

/** The first container's env: every shop service sets some. */
function env(d: KubeObject): EnvVar[] {
  const vars = firstContainer(d).env;
  if (!vars) throw new Error(`${objectKey(d)} sets no env`);
  return vars;
}
const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });

describe('env-override', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(envOverride.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(envOverride.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('needs a variable name and value; the container defaults to the first', () => {
    expect(envOverride.params.parse({ name: 'PAYMENT_URL', value: 'http://payment:9090' })).toEqual({
      name: 'PAYMENT_URL',
      value: 'http://payment:9090',
    });
  });

  it.each([
    [{ value: 'x' }, 'name: Invalid input: expected string, received undefined'],
    [{ name: 'PAYMENT_URL' }, 'value: Invalid input: expected string, received undefined'],
    [{ name: 'PAYMENT-URL', value: 'x' }, 'name: must be an environment variable name'],
    [{ name: '1X', value: 'x' }, 'name: must be an environment variable name'],
    [{ name: 'PORT', value: 8081 }, 'value: Invalid input: expected string, received number'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(envOverride, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause', () => {
    expect(envOverride.groundTruth(deploy('checkout'), { name: 'PAYMENT_URL', value: 'x' })).toEqual([
      'shop/Deployment/checkout',
    ]);
  });

  it.each([
    // Readiness-checked dependencies and the Redis settings: the new pod never becomes ready.
    ['checkout', 'PAYMENT_URL', 'KubePodNotReady'],
    ['frontend', 'CART_URL', 'KubePodNotReady'],
    ['cart', 'REDIS_PASSWORD', 'KubePodNotReady'],
    // A malformed or unknown value stops the service at start: unready as well.
    ['payment', 'PORT', 'KubePodNotReady'],
    // Dependencies the service calls but does not probe: the rollout completes and the calls fail.
    ['cart', 'CATALOG_URL', 'ShopDependencyErrors'],
    ['frontend', 'CURRENCY_URL', 'ShopDependencyErrors'],
    // A name that happens to be an Object.prototype key is just a name.
    ['constructor', 'CATALOG_URL', 'KubePodNotReady'],
  ])('expects for %s %s: %s', (service, name, alert) => {
    expect(envOverride.expectedAlerts(deploy(service), { name, value: 'http://127.0.0.1:9' })).toEqual([
      alert,
    ]);
  });

  it('replaces the variable in place, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await envOverride.inject(
      contextFor(envOverride, target, 'shop/Deployment/checkout', {
        name: 'PAYMENT_URL',
        value: 'http://payment:9090',
      }),
    );
    const expected = shop.get('shop/Deployment/checkout');
    const vars = env(expected);
    vars[vars.findIndex((e) => e.name === 'PAYMENT_URL')] = {
      name: 'PAYMENT_URL',
      value: 'http://payment:9090',
    };
    expect(await target.objects.get('Deployment', 'shop', 'checkout')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/checkout']);

    await undo.undo();
    expect(target.objects.calls).toEqual([
      'apply shop/Deployment/checkout',
      'apply shop/Deployment/checkout',
    ]);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'checkout'))).toStrictEqual(
      shop.get('shop/Deployment/checkout'),
    );
  });

  it('replaces a Secret reference with a literal value (and undo brings the reference back)', async () => {
    const target = shopTarget(shop);
    const undo = await envOverride.inject(
      contextFor(envOverride, target, 'shop/Deployment/cart', { name: 'REDIS_PASSWORD', value: 'hunter22' }),
    );
    const applied = await target.objects.get('Deployment', 'shop', 'cart');
    expect(applied && env(applied).find((e) => e.name === 'REDIS_PASSWORD')).toStrictEqual({
      name: 'REDIS_PASSWORD',
      value: 'hunter22',
    });
    await undo.undo();
    const restored = await target.objects.get('Deployment', 'shop', 'cart');
    expect(restored && env(restored).find((e) => e.name === 'REDIS_PASSWORD')).toStrictEqual({
      name: 'REDIS_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'redis-auth', key: 'password' } },
    });
  });

  itAppliesOverApiServer(
    envOverride,
    () => shop,
    'shop/Deployment/checkout',
    (d) => {
      const vars = env(d);
      vars[vars.findIndex((e) => e.name === 'PAYMENT_URL')] = {
        name: 'PAYMENT_URL',
        value: 'http://payment:9090',
      };
    },
    { params: { name: 'PAYMENT_URL', value: 'http://payment:9090' } },
  );

  it('appends a variable the container did not have', async () => {
    const target = shopTarget(shop);
    await envOverride.inject(
      contextFor(envOverride, target, 'shop/Deployment/payment', { name: 'LOG_LEVEL', value: 'loud' }),
    );
    const expected = shop.get('shop/Deployment/payment');
    env(expected).push({ name: 'LOG_LEVEL', value: 'loud' });
    expect(await target.objects.get('Deployment', 'shop', 'payment')).toStrictEqual(expected);
  });

  itRefusesMissingContainer(envOverride, () => shop, 'shop/Deployment/cart', 'redis', ['cart'], {
    params: { name: 'X', value: 'y' },
  });

  itRefusesMissingTarget(envOverride, () => shop, 'shop/Deployment/carts', {
    params: { name: 'X', value: 'y' },
  });

  itRestoresAfterLostReply(envOverride, () => shop, 'shop/Deployment/checkout', {
    params: { name: 'PAYMENT_URL', value: 'http://x:1' },
  });
});
