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
import { resourceQuotaExhausted } from './resource-quota-exhausted.js';
import { substratesProviding } from '../../substrates/registry.js';

const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });
// The payment pods the Deployment selects (tests/fixtures/faults/live/pods.yaml), in name order; the
// terminating one, payment-debug (other labels) and the staging pod are not among them.
const PAYMENT_PODS = ['payment-6b7c9d8f4-7rtzw', 'payment-6b7c9d8f4-bq4lm', 'payment-6b7c9d8f4-x2k9p'];

/** The quota as an operator would write it: the pods the rest of the namespace runs, and no more. */
function quota(name: string, pods: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name, namespace: 'shop', labels: { 'app.kubernetes.io/part-of': 'shop' } },
    spec: { hard: { pods } },
  };
}

describe('resource-quota-exhausted', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(resourceQuotaExhausted.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(resourceQuotaExhausted.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('takes an optional quota name', () => {
    expect(resourceQuotaExhausted.params.parse({})).toEqual({});
    expect(resourceQuotaExhausted.params.parse({ name: 'shop-compute' })).toEqual({ name: 'shop-compute' });
  });

  it.each([
    [{ name: 'Shop_Quota' }, 'name: must be a DNS-1123 label, e.g. shop-quota'],
    [{ name: 'x'.repeat(64) }, 'name: Too big: expected string to have <=63 characters'],
    [{ name: 3 }, 'name: Invalid input: expected string, received number'],
    [{ pods: 2 }, '(params): Unrecognized key: "pods"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(resourceQuotaExhausted, params)).toEqual([problem]);
  });

  it('names the quota (not the starved Deployment) as the root cause', () => {
    expect(resourceQuotaExhausted.groundTruth(deploy('payment'), {})).toEqual([
      'shop/ResourceQuota/shop-quota',
    ]);
    expect(resourceQuotaExhausted.groundTruth(deploy('payment'), { name: 'shop-compute' })).toEqual([
      'shop/ResourceQuota/shop-compute',
    ]);
  });

  it.each([
    ['payment', 'ShopDependencyErrors'],
    ['redis', 'ShopRedisCommandErrors'],
    ['frontend', 'ShopFrontendTrafficDrop'],
  ])('expects for %s the missing replicas and %s', (name, alert) => {
    expect(resourceQuotaExhausted.expectedAlerts(deploy(name), {})).toEqual([
      'KubeQuotaFullyUsed',
      'KubeDeploymentReplicasMismatch',
      alert,
    ]);
  });

  it("creates a quota the rest of the namespace fills, deletes the target's pods; undo deletes the quota", async () => {
    const target = shopTarget(shop);
    const undo = await resourceQuotaExhausted.inject(
      contextFor(resourceQuotaExhausted, target, 'shop/Deployment/payment'),
    );
    // Left in shop and counted: payment-debug and cart's pod.
    expect(await target.objects.get('ResourceQuota', 'shop', 'shop-quota')).toStrictEqual(
      quota('shop-quota', '2'),
    );
    expect(target.objects.calls).toEqual([
      'apply shop/ResourceQuota/shop-quota',
      ...PAYMENT_PODS.map((p) => `delete shop/Pod/${p}`),
    ]);
    expect(undo.description).toBe('delete ResourceQuota shop/ResourceQuota/shop-quota');

    await undo.undo();
    expect(target.objects.calls.slice(4)).toEqual(['delete shop/ResourceQuota/shop-quota']);
    expect(await target.objects.get('ResourceQuota', 'shop', 'shop-quota')).toBeUndefined();
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'payment'))).toStrictEqual(
      shop.get('shop/Deployment/payment'),
    );
  });

  it('counts only pods the quota counts: not finished, not terminating, not in another namespace', async () => {
    const target = shopTarget(shop);
    const done = asLive(shop.get('shop/Pod/cart-5f6d7c8b9-h8j2k'), 90);
    done.metadata.name = 'cart-5f6d7c8b9-done1';
    done.status = { phase: 'Succeeded' };
    const failed = structuredClone(done);
    failed.metadata.name = 'cart-5f6d7c8b9-fail1';
    failed.status = { phase: 'Failed' };
    const pending = structuredClone(done);
    pending.metadata.name = 'cart-5f6d7c8b9-pend1';
    pending.status = { phase: 'Pending' };
    for (const p of [done, failed, pending]) target.objects.objects.set(`shop/Pod/${p.metadata.name}`, p);

    await resourceQuotaExhausted.inject(
      contextFor(resourceQuotaExhausted, target, 'shop/Deployment/cart', { name: 'shop-compute' }),
    );
    // Counted: payment x3 and payment-debug; the running and the pending cart pod are the target's, the
    // finished ones count for no quota.
    expect(await target.objects.get('ResourceQuota', 'shop', 'shop-compute')).toStrictEqual(
      quota('shop-compute', '4'),
    );
    expect(target.objects.calls).toEqual([
      'apply shop/ResourceQuota/shop-compute',
      'delete shop/Pod/cart-5f6d7c8b9-h8j2k',
      'delete shop/Pod/cart-5f6d7c8b9-pend1',
    ]);
  });

  it("leaves a running Job's pod out: it finishes and would give its slot to a replacement", async () => {
    const target = shopTarget(shop);
    const job = asLive(shop.get('shop/Pod/cart-5f6d7c8b9-h8j2k'), 90);
    job.metadata.name = 'catalog-sync-manual-1-abcde';
    job.metadata.labels = { 'app.kubernetes.io/name': 'catalog-sync' };
    job.metadata.ownerReferences = [
      { apiVersion: 'batch/v1', kind: 'Job', name: 'catalog-sync-manual-1', uid: 'j1', controller: true },
    ];
    job.status = { phase: 'Running' };
    target.objects.objects.set(`shop/Pod/${job.metadata.name}`, job);
    await resourceQuotaExhausted.inject(
      contextFor(resourceQuotaExhausted, target, 'shop/Deployment/cart', { name: 'shop-compute' }),
    );
    // payment x3 and payment-debug, as without the Job's pod
    expect(await target.objects.get('ResourceQuota', 'shop', 'shop-compute')).toStrictEqual(
      quota('shop-compute', '4'),
    );
  });

  it('refuses a quota name that is taken, changing nothing', async () => {
    const target = shopTarget(shop);
    target.objects.objects.set('shop/ResourceQuota/shop-quota', asLive(quota('shop-quota', '40'), 91));
    const err = await injectError(
      resourceQuotaExhausted,
      contextFor(resourceQuotaExhausted, target, 'shop/Deployment/payment'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'shop/ResourceQuota/shop-quota already exists; removing it would not restore what was there, so name another quota',
    );
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingTarget(resourceQuotaExhausted, () => shop, 'shop/Deployment/payments');

  it('deletes the quota and no pod when creating it failed after the server took it', async () => {
    const objects = new FailingObjects(1, true);
    const target = shopTarget(shop, objects);
    const err = await injectError(
      resourceQuotaExhausted,
      contextFor(resourceQuotaExhausted, target, 'shop/Deployment/payment'),
    );
    expect(err).toBe(objects.error);
    expect(objects.calls).toEqual([
      'apply shop/ResourceQuota/shop-quota (reply lost)',
      'delete shop/ResourceQuota/shop-quota',
    ]);
    expect(await objects.get('ResourceQuota', 'shop', 'shop-quota')).toBeUndefined();
    expect((await objects.list('Pod', 'shop')).map((p) => p.metadata.name)).toEqual(
      expect.arrayContaining(PAYMENT_PODS),
    );
  });

  it('through the API server: applies the quota, deletes the pods; undo deletes the quota', async () => {
    const run = await runOverApiServer(resourceQuotaExhausted, shop, 'shop/Deployment/payment');
    const quotaPath = '/api/v1/namespaces/shop/resourcequotas/shop-quota';
    expect(run.inject).toEqual([
      {
        call: `PATCH ${quotaPath}?${APPLY_QUERY}`,
        contentType: APPLY_CONTENT_TYPE,
        body: quota('shop-quota', '2'),
      },
      ...PAYMENT_PODS.map((p) => ({
        call: `DELETE /api/v1/namespaces/shop/pods/${p}?propagationPolicy=Background`,
        contentType: undefined,
        body: undefined,
      })),
    ]);
    expect(run.undo).toEqual([
      { call: `DELETE ${quotaPath}?propagationPolicy=Background`, contentType: undefined, body: undefined },
    ]);
    expect(withoutServerFields(run.during.get('ResourceQuota/shop/shop-quota'))).toStrictEqual(
      quota('shop-quota', '2'),
    );
    expect(run.after.has('ResourceQuota/shop/shop-quota')).toBe(false);
    for (const p of PAYMENT_PODS) expect(run.after.has(`Pod/shop/${p}`)).toBe(false);
  });
});
