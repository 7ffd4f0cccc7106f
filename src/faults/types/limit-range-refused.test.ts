import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { KubeObject } from '../../kube/kube-object.js';
import {
  asLive,
  contextFor,
  FailingObjects,
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
import { itRefusesMissingTarget } from '../../../tests/fixtures/faults/rollout-contract.js';
import { limitRangeRefused } from './limit-range-refused.js';
import { substratesProviding } from '../../substrates/registry.js';

const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });
// The payment pods the Deployment selects (tests/fixtures/faults/live/pods.yaml), in name order.
const PAYMENT_PODS = ['payment-6b7c9d8f4-7rtzw', 'payment-6b7c9d8f4-bq4lm', 'payment-6b7c9d8f4-x2k9p'];

/** The LimitRange as a platform team would write it: one ceiling on every container's memory limit. */
function limitRange(name: string, memory: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name, namespace: 'shop', labels: { 'app.kubernetes.io/part-of': 'shop' } },
    spec: { limits: [{ type: 'Container', max: { memory } }] },
  };
}

describe('limit-range-refused', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(limitRangeRefused.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(limitRangeRefused.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('takes an optional name and a memory ceiling (128Mi unless given)', () => {
    expect(limitRangeRefused.params.parse({})).toEqual({ maxMemory: '128Mi' });
    expect(limitRangeRefused.params.parse({ name: 'ceiling', maxMemory: '96Mi' })).toEqual({
      name: 'ceiling',
      maxMemory: '96Mi',
    });
  });

  it.each([
    [{ name: 'Shop_Limits' }, 'name: must be a DNS-1123 label, e.g. shop-limits'],
    [{ maxMemory: '0.5Gi' }, 'maxMemory: must be a memory quantity like 128Mi'],
    [{ maxMemory: 128 }, 'maxMemory: Invalid input: expected string, received number'],
    [{ cpu: '100m' }, '(params): Unrecognized key: "cpu"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(limitRangeRefused, params)).toEqual([problem]);
  });

  it('names the LimitRange (not the refused Deployment) as the root cause', () => {
    const p = limitRangeRefused.params.parse({});
    expect(limitRangeRefused.groundTruth(deploy('payment'), p)).toEqual(['shop/LimitRange/shop-limits']);
    expect(limitRangeRefused.groundTruth(deploy('payment'), { ...p, name: 'ceiling' })).toEqual([
      'shop/LimitRange/ceiling',
    ]);
  });

  it.each([
    ['payment', 'ShopDependencyErrors'],
    ['redis', 'ShopRedisCommandErrors'],
    ['frontend', 'ShopFrontendTrafficDrop'],
  ])('expects for %s the missing replicas and %s', (name, alert) => {
    expect(limitRangeRefused.expectedAlerts(deploy(name), limitRangeRefused.params.parse({}))).toEqual([
      'KubeDeploymentReplicasMismatch',
      alert,
    ]);
  });

  it("creates the ceiling and deletes the target's pods; undo deletes the LimitRange", async () => {
    const target = shopTarget(shop);
    const undo = await limitRangeRefused.inject(
      contextFor(limitRangeRefused, target, 'shop/Deployment/payment'),
    );
    expect(await target.objects.get('LimitRange', 'shop', 'shop-limits')).toStrictEqual(
      limitRange('shop-limits', '128Mi'),
    );
    expect(target.objects.calls).toEqual([
      'apply shop/LimitRange/shop-limits',
      ...PAYMENT_PODS.map((p) => `delete shop/Pod/${p}`),
    ]);
    expect(undo.description).toBe('delete LimitRange shop/LimitRange/shop-limits');

    await undo.undo();
    expect(target.objects.calls.slice(4)).toEqual(['delete shop/LimitRange/shop-limits']);
    expect(await target.objects.get('LimitRange', 'shop', 'shop-limits')).toBeUndefined();
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'payment'))).toStrictEqual(
      shop.get('shop/Deployment/payment'),
    );
  });

  it("refuses a ceiling the target's containers fit under, changing nothing", async () => {
    const target = shopTarget(shop);
    const err = await injectError(
      limitRangeRefused,
      contextFor(limitRangeRefused, target, 'shop/Deployment/payment', { maxMemory: '1Gi' }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'maxMemory 1Gi is not below the memory limit of any container of shop/Deployment/payment, so its pods would be admitted; set a lower maxMemory',
    );
    expect(target.objects.calls).toEqual([]);
  });

  it('refuses a LimitRange name that is taken, changing nothing', async () => {
    const target = shopTarget(shop);
    target.objects.objects.set('shop/LimitRange/shop-limits', asLive(limitRange('shop-limits', '1Gi'), 91));
    const err = await injectError(
      limitRangeRefused,
      contextFor(limitRangeRefused, target, 'shop/Deployment/payment'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'shop/LimitRange/shop-limits already exists; removing it would not restore what was there, so name another LimitRange',
    );
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingTarget(limitRangeRefused, () => shop, 'shop/Deployment/payments');

  it('deletes the LimitRange and no pod when creating it failed after the server took it', async () => {
    const objects = new FailingObjects(1, true);
    const target = shopTarget(shop, objects);
    const err = await injectError(
      limitRangeRefused,
      contextFor(limitRangeRefused, target, 'shop/Deployment/payment'),
    );
    expect(err).toBe(objects.error);
    expect(objects.calls).toEqual([
      'apply shop/LimitRange/shop-limits (reply lost)',
      'delete shop/LimitRange/shop-limits',
    ]);
    expect(await objects.get('LimitRange', 'shop', 'shop-limits')).toBeUndefined();
    expect((await objects.list('Pod', 'shop')).map((p) => p.metadata.name)).toEqual(
      expect.arrayContaining(PAYMENT_PODS),
    );
  });

  it('through the API server: applies the LimitRange, deletes the pods; undo deletes it', async () => {
    const run = await runOverApiServer(limitRangeRefused, shop, 'shop/Deployment/payment');
    const path = '/api/v1/namespaces/shop/limitranges/shop-limits';
    expect(run.inject).toEqual([
      {
        call: `PATCH ${path}?${APPLY_QUERY}`,
        contentType: APPLY_CONTENT_TYPE,
        body: limitRange('shop-limits', '128Mi'),
      },
      ...PAYMENT_PODS.map((p) => ({
        call: `DELETE /api/v1/namespaces/shop/pods/${p}?propagationPolicy=Background`,
        contentType: undefined,
        body: undefined,
      })),
    ]);
    expect(run.undo).toEqual([
      { call: `DELETE ${path}?propagationPolicy=Background`, contentType: undefined, body: undefined },
    ]);
    expect(run.after.has('LimitRange/shop/shop-limits')).toBe(false);
    for (const p of PAYMENT_PODS) expect(run.after.has(`Pod/shop/${p}`)).toBe(false);
  });
});
