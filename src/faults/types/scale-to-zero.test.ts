import {
  contextFor,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { scaleToZero } from './scale-to-zero.js';
import { substratesProviding } from '../../substrates/registry.js';

const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });

describe('scale-to-zero', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on every substrate', () => {
    expect(scaleToZero.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(scaleToZero.needs)).toEqual(['local', 'kind', 'kubeconfig']);
  });

  it('takes no params', () => {
    expect(scaleToZero.params.parse({})).toEqual({});
    expect(paramProblems(scaleToZero, { replicas: 1 })).toEqual(['(params): Unrecognized key: "replicas"']);
  });

  it('names the Deployment as the root cause', () => {
    expect(scaleToZero.groundTruth(deploy('payment'), {})).toEqual(['shop/Deployment/payment']);
  });

  it.each([
    // Callers over HTTP see failed calls; Redis is reached over its own protocol; nothing in the shop calls
    // the frontend, so only the storefront's traffic drop shows its loss.
    ['payment', 'ShopDependencyErrors'],
    ['catalog', 'ShopDependencyErrors'],
    ['redis', 'ShopRedisCommandErrors'],
    ['frontend', 'ShopFrontendTrafficDrop'],
  ])('expects for %s: %s', (name, alert) => {
    expect(scaleToZero.expectedAlerts(deploy(name), {})).toEqual([alert]);
  });

  it('sets replicas to 0 and nothing else, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await scaleToZero.inject(contextFor(scaleToZero, target, 'shop/Deployment/payment'));

    const expected = shop.get('shop/Deployment/payment');
    expect(expected.spec?.replicas).toBe(1);
    expected.spec = { ...expected.spec, replicas: 0 };
    expect(await target.objects.get('Deployment', 'shop', 'payment')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Deployment/payment']);
    expect(undo.description).toBe('restore Deployment shop/Deployment/payment');

    await undo.undo();
    expect(target.objects.calls).toEqual(['apply shop/Deployment/payment', 'apply shop/Deployment/payment']);
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'payment'))).toStrictEqual(
      shop.get('shop/Deployment/payment'),
    );
  });

  itRefusesMissingTarget(scaleToZero, () => shop, 'firedrill-system/Deployment/payment');

  itRestoresAfterLostReply(scaleToZero, () => shop, 'shop/Deployment/payment', {
    title: 'puts the manifest back when the scale call failed after the server took it',
  });
});
