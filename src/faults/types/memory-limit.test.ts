import {
  contextFor,
  declaredResources,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  itRefusesMissingContainer,
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { memoryLimit } from './memory-limit.js';
import { substratesProviding } from '../../substrates/registry.js';

describe('memory-limit', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(memoryLimit.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(memoryLimit.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('takes the new limit, which has no default', () => {
    expect(memoryLimit.params.parse({ limit: '48Mi' })).toEqual({ limit: '48Mi' });
  });

  it.each([
    [{}, 'limit: Invalid input: expected string, received undefined'],
    [{ limit: '48M' }, 'limit: must be a memory quantity like 48Mi'],
    [{ limit: 48 }, 'limit: Invalid input: expected string, received number'],
    [{ limit: '48Mi', cpu: '1' }, '(params): Unrecognized key: "cpu"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(memoryLimit, params)).toEqual([problem]);
  });

  it('names the Deployment as the root cause and expects the OOMKilled alert', () => {
    const ref = { namespace: 'shop', kind: 'Deployment', name: 'payment' };
    expect(memoryLimit.groundTruth(ref, { limit: '48Mi' })).toEqual(['shop/Deployment/payment']);
    expect(memoryLimit.expectedAlerts(ref, { limit: '48Mi' })).toEqual(['KubeContainerOOMKilled']);
  });

  it('sets the memory limit, lowers a request above it, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await memoryLimit.inject(
      contextFor(memoryLimit, target, 'shop/Deployment/payment', { limit: '48Mi' }),
    );

    const expected = shop.get('shop/Deployment/payment');
    // The manifest asks for 64Mi; a request above the limit would be refused by the API server.
    expect(declaredResources(expected)).toEqual({
      requests: { cpu: '20m', memory: '64Mi' },
      limits: { cpu: '500m', memory: '192Mi' },
    });
    declaredResources(expected).limits.memory = '48Mi';
    declaredResources(expected).requests.memory = '48Mi';
    expect(await target.objects.get('Deployment', 'shop', 'payment')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/payment']);

    await undo.undo();
    expect(target.objects.calls).toEqual(['apply shop/Deployment/payment', 'apply shop/Deployment/payment']);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'payment'))).toStrictEqual(
      shop.get('shop/Deployment/payment'),
    );
  });

  it('leaves a request that is already below the new limit alone', async () => {
    const target = shopTarget(shop);
    await memoryLimit.inject(contextFor(memoryLimit, target, 'shop/Deployment/cart', { limit: '1Gi' }));
    const expected = shop.get('shop/Deployment/cart');
    declaredResources(expected).limits.memory = '1Gi';
    expect(await target.objects.get('Deployment', 'shop', 'cart')).toStrictEqual(expected);
    expect(declaredResources(expected).requests.memory).toBe('64Mi');
  });

  itRefusesMissingContainer(memoryLimit, () => shop, 'shop/Deployment/payment', 'istio-proxy', ['payment'], {
    params: { limit: '48Mi' },
  });

  itRefusesMissingTarget(memoryLimit, () => shop, 'shop/Deployment/pay', { params: { limit: '48Mi' } });

  itRestoresAfterLostReply(memoryLimit, () => shop, 'shop/Deployment/payment', { params: { limit: '48Mi' } });
});
