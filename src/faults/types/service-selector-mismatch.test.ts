import { InvalidInputError } from '../../errors/invalid-input-error.js';
import { objectKey, type KubeObject } from '../../kube/kube-object.js';
import { asService } from '../../kube/typed-objects.js';
import {
  asLive,
  contextFor,
  injectError,
  loadShopObjects,
  paramProblems,
  shopTarget,
  withoutServerFields,
  type ShopObjects,
} from '../../../tests/fixtures/faults/fault-kit.js';
import {
  APPLY_CONTENT_TYPE,
  APPLY_QUERY,
  runOverApiServer,
} from '../../../tests/fixtures/faults/api-server-kit.js';
import {
  itRefusesMissingTarget,
  itRestoresAfterLostReply,
} from '../../../tests/fixtures/faults/rollout-contract.js';
import { serviceSelectorMismatch } from './service-selector-mismatch.js';
import { substratesProviding } from '../../substrates/registry.js';

const withSelector = (svc: KubeObject, selector: Record<string, string>): KubeObject => {
  const spec = asService(svc)?.spec;
  if (!spec) throw new Error(`${objectKey(svc)} has no spec`);
  spec.selector = selector;
  return svc;
};
const service = (name: string) => ({ namespace: 'shop', kind: 'Service', name });

describe('service-selector-mismatch', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Services on Kubernetes only', () => {
    expect(serviceSelectorMismatch.targetKinds).toEqual(['Service']);
    expect(substratesProviding(serviceSelectorMismatch.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('has no required params; a selector may be given', () => {
    expect(serviceSelectorMismatch.params.parse({})).toEqual({});
    expect(serviceSelectorMismatch.params.parse({ selector: { app: 'cart' } })).toEqual({
      selector: { app: 'cart' },
    });
  });

  it.each([
    [
      { selector: {} },
      'selector: must name at least one label (an empty selector would select nothing to manage)',
    ],
    [{ selector: { app: 'cart api' } }, 'selector.app: must be a label value (alphanumerics, -, _ and .)'],
    [{ selector: { app: 3 } }, 'selector.app: Invalid input: expected string, received number'],
    [{ selector: 'app=cart' }, 'selector: Invalid input: expected record, received string'],
    [{ labels: { app: 'cart' } }, '(params): Unrecognized key: "labels"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(serviceSelectorMismatch, params)).toEqual([problem]);
  });

  it('names the Service as the root cause', () => {
    expect(serviceSelectorMismatch.groundTruth(service('payment'), {})).toEqual(['shop/Service/payment']);
  });

  it.each([
    ['payment', 'ShopDependencyErrors'],
    ['redis', 'ShopRedisCommandErrors'],
    ['frontend', 'ShopFrontendTrafficDrop'],
  ])('expects for the %s Service: %s', (name, alert) => {
    expect(serviceSelectorMismatch.expectedAlerts(service(name), {})).toEqual([alert]);
  });

  it('by default points the selector at a -v2 of the app, and undo restores the manifest', async () => {
    const target = shopTarget(shop);
    const undo = await serviceSelectorMismatch.inject(
      contextFor(serviceSelectorMismatch, target, 'shop/Service/payment'),
    );
    const expected = withSelector(shop.get('shop/Service/payment'), {
      'app.kubernetes.io/name': 'payment-v2',
      'app.kubernetes.io/part-of': 'shop',
    });
    expect(await target.objects.get('Service', 'shop', 'payment')).toStrictEqual(expected);
    expect(target.objects.calls).toEqual(['apply shop/Service/payment']);

    await undo.undo();
    expect(target.objects.calls).toEqual(['apply shop/Service/payment', 'apply shop/Service/payment']);
    expect(withoutServerFields(await target.objects.get('Service', 'shop', 'payment'))).toStrictEqual(
      shop.get('shop/Service/payment'),
    );
  });

  it('applies a given selector as it is', async () => {
    const target = shopTarget(shop);
    await serviceSelectorMismatch.inject(
      contextFor(serviceSelectorMismatch, target, 'shop/Service/cart', { selector: { app: 'cart' } }),
    );
    expect(await target.objects.get('Service', 'shop', 'cart')).toStrictEqual(
      withSelector(shop.get('shop/Service/cart'), { app: 'cart' }),
    );
  });

  it.each([
    [
      'the pods of a Deployment',
      { 'app.kubernetes.io/name': 'catalog' },
      'selector app.kubernetes.io/name=catalog matches the pods of Deployment shop/catalog, so Service shop/Service/cart would keep its endpoints; choose labels no pod carries',
    ],
    [
      'the current selector',
      { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/name': 'cart' },
      'selector app.kubernetes.io/part-of=shop,app.kubernetes.io/name=cart matches the pods of Deployment shop/cart, so Service shop/Service/cart would keep its endpoints; choose labels no pod carries',
    ],
    [
      'a pod no Deployment template matches',
      { 'pod-template-hash': '5f6d7c8b9' },
      'selector pod-template-hash=5f6d7c8b9 matches pod shop/cart-5f6d7c8b9-h8j2k, so Service shop/Service/cart would keep its endpoints; choose labels no pod carries',
    ],
  ])('refuses a selector matching %s, changing nothing', async (_what, selector, message) => {
    const target = shopTarget(shop);
    const err = await injectError(
      serviceSelectorMismatch,
      contextFor(serviceSelectorMismatch, target, 'shop/Service/cart', { selector }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(message);
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses the default for a Service whose selector has no app.kubernetes.io/name, changing nothing', async () => {
    const target = shopTarget(shop);
    const svc = withSelector(shop.get('shop/Service/cart'), { app: 'cart' });
    target.objects.objects.set('shop/Service/cart', asLive(svc, 1));
    const err = await injectError(
      serviceSelectorMismatch,
      contextFor(serviceSelectorMismatch, target, 'shop/Service/cart'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'Service shop/Service/cart has no app.kubernetes.io/name in its selector to change; give the selector in params.selector',
    );
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingTarget(serviceSelectorMismatch, () => shop, 'shop/Service/payments', {
    title: 'refuses a Service that does not exist, changing nothing',
  });

  itRestoresAfterLostReply(serviceSelectorMismatch, () => shop, 'shop/Service/payment', {
    title: 'puts the Service back when the apply failed after the server took it',
  });

  it('through the API server: one server-side apply of the changed Service, one of the saved copy', async () => {
    const run = await runOverApiServer(serviceSelectorMismatch, shop, 'shop/Service/shipping');
    const path = `PATCH /api/v1/namespaces/shop/services/shipping?${APPLY_QUERY}`;
    const changed = withSelector(shop.get('shop/Service/shipping'), {
      'app.kubernetes.io/name': 'shipping-v2',
      'app.kubernetes.io/part-of': 'shop',
    });
    expect(run.inject).toEqual([{ call: path, contentType: APPLY_CONTENT_TYPE, body: changed }]);
    expect(run.undo).toEqual([
      { call: path, contentType: APPLY_CONTENT_TYPE, body: shop.get('shop/Service/shipping') },
    ]);
    expect(withoutServerFields(run.during.get('Service/shop/shipping'))).toStrictEqual(changed);
    expect(withoutServerFields(run.after.get('Service/shop/shipping'))).toStrictEqual(
      shop.get('shop/Service/shipping'),
    );
  });
});
