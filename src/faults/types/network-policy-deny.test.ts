import { InvalidInputError } from '../../errors/invalid-input-error.js';
import type { NetworkPolicy } from '../../kube/typed-objects.js';
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
import { MemoryObjects } from '../testing/fake-target.js';
import { networkPolicyDeny } from './network-policy-deny.js';
import { substratesProviding } from '../../substrates/registry.js';

const deploy = (name: string) => ({ namespace: 'shop', kind: 'Deployment', name });
const PAYMENT_PODS = ['payment-6b7c9d8f4-7rtzw', 'payment-6b7c9d8f4-bq4lm', 'payment-6b7c9d8f4-x2k9p'];
const DEFAULTS = { allowFrom: { app: 'shop' }, restart: true };

/** The policy as its author would have written it for the payment pods. */
function paymentPolicy(
  name = 'payment-allow-ingress',
  allowFrom: Record<string, string> = { app: 'shop' },
): NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name,
      namespace: 'shop',
      labels: { 'app.kubernetes.io/name': 'payment', 'app.kubernetes.io/part-of': 'shop' },
    },
    spec: {
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'payment', 'app.kubernetes.io/part-of': 'shop' },
      },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: allowFrom } }] }],
    },
  };
}

describe('network-policy-deny', () => {
  let shop: ShopObjects;
  beforeAll(async () => {
    shop = await loadShopObjects();
  });

  it('targets Deployments on Kubernetes only', () => {
    expect(networkPolicyDeny.targetKinds).toEqual(['Deployment']);
    expect(substratesProviding(networkPolicyDeny.needs)).toEqual(['kind', 'kubeconfig']);
  });

  it('by default admits only app=shop (a label no shop pod carries) and restarts the pods', () => {
    expect(networkPolicyDeny.params.parse({})).toEqual(DEFAULTS);
    expect(
      networkPolicyDeny.params.parse({ name: 'payment-ingress', allowFrom: { role: 'web' }, restart: false }),
    ).toEqual({ name: 'payment-ingress', allowFrom: { role: 'web' }, restart: false });
  });

  it.each([
    [{ name: 'Payment' }, 'name: must be a lower-case DNS name, e.g. cart-allow-ingress'],
    [{ name: 'payment_ingress' }, 'name: must be a lower-case DNS name, e.g. cart-allow-ingress'],
    [
      { name: 'payment-chaos' },
      'name: must not name the testbed or its trade (it would show in the snapshot)',
    ],
    [{ name: 'fault' }, 'name: must not name the testbed or its trade (it would show in the snapshot)'],
    [
      { name: 'network-policy-deny' },
      'name: must not name the testbed or its trade (it would show in the snapshot)',
    ],
    [
      { allowFrom: {} },
      'allowFrom: must name at least one label (an empty pod selector admits every pod of the namespace)',
    ],
    [{ allowFrom: { app: 'web shop' } }, 'allowFrom.app: must be a label value (alphanumerics, -, _ and .)'],
    [{ restart: 'no' }, 'restart: Invalid input: expected boolean, received string'],
    [{ from: { app: 'web' } }, '(params): Unrecognized key: "from"'],
  ])('refuses params %j naming the problem', (params, problem) => {
    expect(paramProblems(networkPolicyDeny, params)).toEqual([problem]);
  });

  it('names the NetworkPolicy it creates (not the Deployment it isolates) as the root cause', () => {
    expect(networkPolicyDeny.groundTruth(deploy('cart'), DEFAULTS)).toEqual([
      'shop/NetworkPolicy/cart-allow-ingress',
    ]);
    expect(networkPolicyDeny.groundTruth(deploy('cart'), { ...DEFAULTS, name: 'cart-ingress' })).toEqual([
      'shop/NetworkPolicy/cart-ingress',
    ]);
  });

  it.each([
    ['payment', 'ShopDependencyErrors'],
    ['redis', 'ShopRedisCommandErrors'],
    ['frontend', 'ShopFrontendTrafficDrop'],
  ])('expects for %s: %s', (name, alert) => {
    expect(networkPolicyDeny.expectedAlerts(deploy(name), DEFAULTS)).toEqual([alert]);
  });

  it('creates the policy, then deletes the running pods it selects; undo deletes the policy', async () => {
    const target = shopTarget(shop);
    const undo = await networkPolicyDeny.inject(
      contextFor(networkPolicyDeny, target, 'shop/Deployment/payment'),
    );
    expect(await target.objects.get('NetworkPolicy', 'shop', 'payment-allow-ingress')).toStrictEqual(
      paymentPolicy(),
    );
    // The terminating pod, the half-labelled one and the one in another namespace are left alone.
    expect(target.objects.calls).toEqual([
      'apply shop/NetworkPolicy/payment-allow-ingress',
      ...PAYMENT_PODS.map((p) => `delete shop/Pod/${p}`),
    ]);
    // The Deployment itself is not touched.
    expect(withoutServerFields(await target.objects.get('Deployment', 'shop', 'payment'))).toStrictEqual(
      shop.get('shop/Deployment/payment'),
    );

    await undo.undo();
    expect(target.objects.calls.slice(4)).toEqual(['delete shop/NetworkPolicy/payment-allow-ingress']);
    expect(await target.objects.get('NetworkPolicy', 'shop', 'payment-allow-ingress')).toBeUndefined();
  });

  it('with restart false only creates the policy, under the given name and labels', async () => {
    const target = shopTarget(shop);
    await networkPolicyDeny.inject(
      contextFor(networkPolicyDeny, target, 'shop/Deployment/payment', {
        name: 'payment-ingress',
        allowFrom: { 'app.kubernetes.io/name': 'web' },
        restart: false,
      }),
    );
    expect(target.objects.calls).toEqual(['apply shop/NetworkPolicy/payment-ingress']);
    expect(await target.objects.get('NetworkPolicy', 'shop', 'payment-ingress')).toStrictEqual(
      paymentPolicy('payment-ingress', { 'app.kubernetes.io/name': 'web' }),
    );
  });

  it('refuses to take over a NetworkPolicy that exists already, changing nothing', async () => {
    const target = shopTarget(shop);
    const theirs = asLive(paymentPolicy(), 99);
    target.objects.objects.set('shop/NetworkPolicy/payment-allow-ingress', theirs);
    const err = await injectError(
      networkPolicyDeny,
      contextFor(networkPolicyDeny, target, 'shop/Deployment/payment'),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(
      'NetworkPolicy shop/NetworkPolicy/payment-allow-ingress already exists; give another name in params.name',
    );
    expect(target.objects.calls).toEqual([]);
    expect(await target.objects.get('NetworkPolicy', 'shop', 'payment-allow-ingress')).toStrictEqual(theirs);
  });

  it.each([
    [
      { 'app.kubernetes.io/name': 'frontend' },
      'allowFrom app.kubernetes.io/name=frontend matches the pods of Deployment shop/frontend, which the policy would let in; choose labels no pod carries',
    ],
    [
      { 'pod-template-hash': '5f6d7c8b9' },
      'allowFrom pod-template-hash=5f6d7c8b9 matches pod shop/cart-5f6d7c8b9-h8j2k, which the policy would let in; choose labels no pod carries',
    ],
  ])('refuses allowFrom %j that some pod carries, changing nothing', async (allowFrom, message) => {
    const target = shopTarget(shop);
    const err = await injectError(
      networkPolicyDeny,
      contextFor(networkPolicyDeny, target, 'shop/Deployment/payment', { allowFrom }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err.message).toBe(message);
    expect(target.objects.calls).toEqual([]);
  });

  itRefusesMissingTarget(networkPolicyDeny, () => shop, 'shop/Deployment/payments');

  it('deletes the policy when its creation failed after the server took it', async () => {
    const objects = new FailingObjects(1, true);
    const target = shopTarget(shop, objects);
    const err = await injectError(
      networkPolicyDeny,
      contextFor(networkPolicyDeny, target, 'shop/Deployment/payment'),
    );
    expect(err).toBe(objects.error);
    expect(objects.calls).toEqual([
      'apply shop/NetworkPolicy/payment-allow-ingress (reply lost)',
      'delete shop/NetworkPolicy/payment-allow-ingress',
    ]);
    expect(await objects.get('NetworkPolicy', 'shop', 'payment-allow-ingress')).toBeUndefined();
  });

  it('deletes the policy when restarting the pods failed', async () => {
    class FailingDelete extends MemoryObjects {
      readonly error = new Error('pods "payment-6b7c9d8f4-bq4lm" is forbidden');
      override async delete(kind: string, namespace: string | undefined, name: string): Promise<boolean> {
        if (name === PAYMENT_PODS[1]) {
          this.calls.push(`delete shop/Pod/${name} (failed)`);
          throw this.error;
        }
        return super.delete(kind, namespace, name);
      }
    }
    const objects = new FailingDelete();
    const target = shopTarget(shop, objects);
    const err = await injectError(
      networkPolicyDeny,
      contextFor(networkPolicyDeny, target, 'shop/Deployment/payment'),
    );
    expect(err).toBe(objects.error);
    expect(objects.calls).toEqual([
      'apply shop/NetworkPolicy/payment-allow-ingress',
      `delete shop/Pod/${PAYMENT_PODS[0]}`,
      `delete shop/Pod/${PAYMENT_PODS[1]} (failed)`,
      'delete shop/NetworkPolicy/payment-allow-ingress',
    ]);
    expect(await objects.get('NetworkPolicy', 'shop', 'payment-allow-ingress')).toBeUndefined();
  });

  it('through the API server: one server-side apply creating the policy, pod deletions; undo deletes the policy', async () => {
    const run = await runOverApiServer(networkPolicyDeny, shop, 'shop/Deployment/payment');
    const policyPath = '/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies/payment-allow-ingress';
    expect(run.inject).toEqual([
      { call: `PATCH ${policyPath}?${APPLY_QUERY}`, contentType: APPLY_CONTENT_TYPE, body: paymentPolicy() },
      ...PAYMENT_PODS.map((p) => ({
        call: `DELETE /api/v1/namespaces/shop/pods/${p}?propagationPolicy=Background`,
        contentType: undefined,
        body: undefined,
      })),
    ]);
    expect(withoutServerFields(run.during.get('NetworkPolicy/shop/payment-allow-ingress'))).toStrictEqual(
      paymentPolicy(),
    );
    expect(run.undo).toEqual([
      { call: `DELETE ${policyPath}?propagationPolicy=Background`, contentType: undefined, body: undefined },
    ]);
    expect(run.after.has('NetworkPolicy/shop/payment-allow-ingress')).toBe(false);
  });
});
